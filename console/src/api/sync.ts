// The sources and sync runs as the console reads them (GET /sources, /runs, /runs/:id/changes,
// /sources/:name/search), typed by hand from the OpenAPI document: only the fields shown.

export const CHANGE_KINDS = [
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
export type ChangeKind = (typeof CHANGE_KINDS)[number];

interface AttributeChange {
  field: string;
  before: string | null;
  after: string | null;
}

/** One change by login: a run's change list item, or a preview's sample. */
export interface Change {
  action: ChangeKind;
  login: string;
  externalId: string;
  detail: string | null;
  attributes: AttributeChange[];
}

type RunStatus = 'running' | 'succeeded' | 'failed' | 'held' | 'approved' | 'rejected' | 'preview';

export interface SyncRun {
  id: string | null;
  source: string;
  mode: 'full' | 'incremental';
  status: RunStatus;
  trigger: 'cli' | 'api' | 'schedule';
  counts: Record<ChangeKind, number>;
  samples: Partial<
    Record<
      ChangeKind,
      Array<{
        name: string;
        externalId: string;
        detail?: string;
        attributes?: AttributeChange[];
      }>
    >
  >;
  held: number;
  error: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  withheld: number;
  withheldFor: string | null;
  decision: { applied: number; returned: number } | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface HeldAction {
  memberId: string;
  externalId: string;
  login?: string | null;
  action: 'disable' | 'delete';
}

type HealthState = 'healthy' | 'backing-off' | 'quarantined';

export interface Source {
  name: string;
  type: string;
  url: string | null;
  capabilities: string[];
  lastRun: SyncRun | null;
  health: {
    state: HealthState;
    failures: number;
    retryAfter: string | null;
    lastError: string | null;
    lastErrorCode: string | null;
    lastFailureAt: string | null;
  };
  heldRun: { id: string; removals: number; startedAt: string } | null;
}

export interface DirectoryEntry {
  kind: 'user' | 'group';
  dn: string;
  name: string;
  email: string | null;
}

/** A preview's samples as one list by login, in the order of the change kinds. */
export function sampleChanges(run: SyncRun): Change[] {
  return CHANGE_KINDS.flatMap((kind) =>
    (run.samples[kind] ?? []).map((s) => ({
      action: kind,
      login: s.name,
      externalId: s.externalId,
      detail: s.detail ?? null,
      attributes: s.attributes ?? [],
    })),
  );
}
