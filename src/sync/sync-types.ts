// The vocabulary of the sync engine (ARCHITECTURE.md): one situation per record, one action each.

export type Situation = 'linked' | 'unlinked' | 'unmatched' | 'deleted' | 'disputed';

export const COUNT_KEYS = [
  'created',
  'updated',
  'linked',
  'disabled',
  'enabled',
  'deleted',
  'invited',
  'ignored',
  'unchanged',
  'disputed',
  'errors',
  'groupsCreated',
  'groupsUpdated',
  'groupsDeleted',
  'membershipsAdded',
  'membershipsRemoved',
] as const;

export type CountKey = (typeof COUNT_KEYS)[number];
export type Counts = Record<CountKey, number>;

export function emptyCounts(): Counts {
  return Object.fromEntries(COUNT_KEYS.map((k) => [k, 0])) as Counts;
}

/** One line of the plan, kept as a sample for previews and run records (the first few of each kind). */
export interface Change {
  action: CountKey;
  externalId: string;
  /** Who: the login (users, removals) or the group's name. */
  name: string;
  detail?: string;
  /** What changed on the member, before → after (updates, links). */
  attributes?: AttributeChange[];
}

export interface AttributeChange {
  field: string;
  before: string | null;
  after: string | null;
}

const SAMPLES_PER_KIND = 10;

/**
 * The first changes of each kind (for previews and run records); with `keepAll`, every change is
 * also kept until drained into the run's change list.
 */
export class Samples {
  readonly byKind: Partial<Record<CountKey, Change[]>> = {};
  private pending: Change[] = [];
  constructor(private readonly keepAll = false) {}
  add(change: Change): void {
    const list = this.byKind[change.action] ?? [];
    this.byKind[change.action] = list;
    if (list.length < SAMPLES_PER_KIND) list.push(change);
    if (this.keepAll) this.pending.push(change);
  }
  drain(): Change[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}

export type RunMode = 'full' | 'incremental';
export type RunStatus =
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'held'
  | 'approved'
  | 'rejected'
  | 'preview';

/** A disable or deletion waiting for an administrator (held runs). */
export interface HeldAction {
  memberId: string;
  externalId: string;
  /** The login the member was linked by, so that the held list names people. */
  login?: string | null;
  action: 'disable' | 'delete';
}
