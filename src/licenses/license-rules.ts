import type { FieldIssue } from '../errors.ts';
import { counted } from '../counted.ts';

// Pure rules of add-on licences: a licence is held only by the user types it lists, and an
// organization grants no more of a licence than it has. Licences given with an invitation count
// only once the invitation is accepted, so pending members are never counted here.

export interface CatalogLicense {
  id: string;
  name: string;
  userTypeIds: string[];
  /** How many the organization has; null means no limit. */
  quantity: number | null;
}

export interface UserTypeRef {
  id: string;
  name: string;
}

const fold = (s: string) => s.trim().toLowerCase();

/** Licence names are compared without regard to case or surrounding spaces. */
export function findLicense(licenses: CatalogLicense[], name: string): CatalogLicense | undefined {
  const wanted = fold(name);
  return licenses.find((l) => l.id === name || fold(l.name) === wanted);
}

function licenseFits(license: CatalogLicense, userType: UserTypeRef): boolean {
  return license.userTypeIds.includes(userType.id);
}

function typeNames(license: CatalogLicense, userTypes: UserTypeRef[]): string {
  const names = userTypes.filter((t) => license.userTypeIds.includes(t.id)).map((t) => t.name);
  return names.join(', ') || 'none';
}

export interface LicenseChoice {
  /** The catalog names of the licences, in the order asked, each once. */
  names: string[];
  issues: FieldIssue[];
}

/**
 * Checks licences asked for a member of this user type: each must be in the catalog and
 * compatible with the user type. Every problem names the licence and the user type.
 */
export function chooseLicenses(
  wanted: string[],
  userType: UserTypeRef,
  catalog: CatalogLicense[],
  userTypes: UserTypeRef[],
  field = 'licenses',
): LicenseChoice {
  const names: string[] = [];
  const issues: FieldIssue[] = [];
  wanted.forEach((name, i) => {
    const license = findLicense(catalog, name);
    if (!license) {
      issues.push({
        field: `${field}.${i}`,
        message: `unknown licence ${JSON.stringify(name)}; the organization's licences: ${catalog.map((l) => l.name).join(', ') || 'none (define them with licenses create)'}`,
      });
      return;
    }
    if (!licenseFits(license, userType)) {
      issues.push({
        field: `${field}.${i}`,
        message: `licence ${license.name} is not compatible with user type ${userType.name}; user types that may hold it: ${typeNames(license, userTypes)}`,
      });
      return;
    }
    if (names.includes(license.name))
      issues.push({ field: `${field}.${i}`, message: `licence ${license.name} is given twice` });
    else names.push(license.name);
  });
  return { names, issues };
}

/**
 * The organization's default licences a new member of this user type receives: those of the
 * defaults it may hold. A default the member's user type cannot hold is left out rather than
 * refusing the member, as the defaults apply to members of every user type.
 */
export function defaultLicensesFor(
  defaults: string[],
  userType: UserTypeRef,
  catalog: CatalogLicense[],
): string[] {
  const names: string[] = [];
  for (const name of defaults) {
    const license = findLicense(catalog, name);
    if (license && licenseFits(license, userType) && !names.includes(license.name))
      names.push(license.name);
  }
  return names;
}

/** Licences held by a member whose user type changes and that the new type cannot hold. */
export function incompatibleHeld(
  held: string[],
  userType: UserTypeRef,
  catalog: CatalogLicense[],
  userTypes: UserTypeRef[],
): FieldIssue[] {
  return held.flatMap((name) => {
    const license = findLicense(catalog, name);
    if (!license || licenseFits(license, userType)) return [];
    return [
      {
        field: 'userType',
        message: `user type ${userType.name} cannot hold licence ${license.name}, which the member has (user types that may hold it: ${typeNames(license, userTypes)}); remove the licence first or give it in the same request's licenses`,
      },
    ];
  });
}

export interface LicenseShortfall {
  license: string;
  quantity: number;
  inUse: number;
  adding: number;
}

/**
 * The licences whose grant would exceed what the organization has. `inUseAfter` counts the
 * holders once the write is done; `adding` how many of them this write added.
 */
export function shortfalls(
  limited: Array<{ name: string; quantity: number; inUseAfter: number; adding: number }>,
): LicenseShortfall[] {
  return limited
    .filter((l) => l.adding > 0 && l.inUseAfter > l.quantity)
    .map((l) => ({
      license: l.name,
      quantity: l.quantity,
      inUse: l.inUseAfter - l.adding,
      adding: l.adding,
    }));
}

export function shortfallMessage(s: LicenseShortfall): string {
  const available = Math.max(0, s.quantity - s.inUse);
  return `licence ${s.license}: the organization has ${s.quantity}, ${s.inUse} in use and ${available} available; granting it to ${counted(s.adding, 'more member', 'more members')} would exceed it`;
}

/** What an overview shows of one licence. */
export function availability(quantity: number | null, inUse: number): number | null {
  return quantity === null ? null : Math.max(0, quantity - inUse);
}
