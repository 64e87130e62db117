import type { DiffSide, SideStatement, WindowCounters } from "../../facts/diff-side.js";
import type { Snapshot, StatementFacts } from "../../facts/snapshot.js";
import { statementKey } from "../../store/read-target-sample.js";
import { countersOf, statementDelta } from "../../store/statement-deltas.js";
import { statementFingerprint } from "./statement-tables.js";

/**
 * Two snapshot files as the two sides of a diff. pg_stat_statements counts from its last reset, so the earlier
 * snapshot's figures are "before" (everything up to it) and the later one's minus the earlier one's are "after"
 * (what ran between the two), entry by entry; an entry reset, evicted or restarted in between (its counters went
 * down, or the whole view was reset) counts from its restart (store/statement-deltas.ts). Index scans the same way.
 */
export function snapshotSides(
  a: { snapshot: Snapshot; label: string },
  b: { snapshot: Snapshot; label: string },
): { before: DiffSide; after: DiffSide } {
  const [first, second] =
    Date.parse(a.snapshot.capturedAt) <= Date.parse(b.snapshot.capturedAt) ? [a, b] : [b, a];
  const older = first.snapshot;
  const newer = second.snapshot;
  const restartedAll =
    older.workload.statsResetAt !== newer.workload.statsResetAt ||
    older.server.startedAt !== newer.server.startedAt;
  const olderAt = new Date(older.capturedAt);
  const previous = new Map(older.workload.statements.map((s) => [statementKey(s), s]));
  const afterStatements: SideStatement[] = [];
  let restartedEntries = 0;
  for (const s of newer.workload.statements) {
    const was = previous.get(statementKey(s));
    const delta = statementDelta({
      current: countersOf(s),
      previous: was ? { counters: countersOf(was), readAt: olderAt } : null,
      targetHasPrevious: true,
      restartedAll,
      statsSince: null,
    });
    if (!delta) continue;
    if (delta.restarted) restartedEntries++;
    afterStatements.push(sideStatement(s, delta.delta));
  }
  const before = side(first.label, older, {
    from: older.workload.statsResetAt,
    description: older.workload.statsResetAt
      ? `since pg_stat_statements was reset at ${older.workload.statsResetAt}`
      : "since pg_stat_statements started counting",
  });
  before.statements = older.workload.statements.map((s) => sideStatement(s, countersOf(s)));
  before.indexes = older.indexes.map((i) => indexOf(i, i.stats?.idxScan ?? null));
  const after = side(second.label, newer, {
    from: restartedAll ? newer.workload.statsResetAt : older.capturedAt,
    description: restartedAll
      ? `since pg_stat_statements was reset or the server restarted (${newer.workload.statsResetAt ?? newer.server.startedAt ?? "time unknown"}), after the first snapshot`
      : `between the two snapshots (${older.capturedAt} → ${newer.capturedAt})`,
  });
  after.statements = afterStatements;
  const olderScans = new Map(older.indexes.map((i) => [`${i.schema}.${i.name}`, i.stats?.idxScan ?? null]));
  after.indexes = newer.indexes.map((i) => {
    const now = i.stats?.idxScan ?? null;
    const was = olderScans.get(`${i.schema}.${i.name}`) ?? null;
    // Counters that went down were reset: what they hold is what happened since.
    return indexOf(i, now === null ? null : was === null || now < was || restartedAll ? now : now - was);
  });
  if (restartedEntries)
    after.notes.push(
      `${restartedEntries} statements were reset or evicted between the snapshots: their figures count from then`,
    );
  for (const [s, label] of [
    [older, first.label],
    [newer, second.label],
  ] as const)
    if (s.workload.source !== "pg_stat_statements")
      (s === older ? before : after).notes.push(
        `${label} holds no statements: ${s.workload.problem ?? "pg_stat_statements was not readable"}`,
      );
  return { before, after };
}

function side(label: string, s: Snapshot, window: { from: string | null; description: string }): DiffSide {
  const blockSize = Number(s.settings.find((x) => x.name === "block_size")?.setting ?? 8192);
  return {
    label,
    database: s.server.database,
    serverVersion: s.server.version,
    at: s.capturedAt,
    window: { from: window.from, to: s.capturedAt, description: window.description },
    statements: [],
    tables: s.tables.map((t) => ({
      schema: t.schema,
      name: t.name,
      rows: t.rowsEstimate,
      totalBytes: t.totalBytes,
      analyzedAt: latest(t.stats?.lastAnalyze ?? null, t.stats?.lastAutoanalyze ?? null),
    })),
    indexes: [],
    settings: s.settings.map((x) => ({ name: x.name, setting: x.setting, unit: x.unit, source: x.source })),
    plans: null,
    blockSize: Number.isFinite(blockSize) && blockSize > 0 ? blockSize : 8192,
    notes: [],
  };
}

function sideStatement(s: StatementFacts, c: WindowCounters): SideStatement {
  return {
    queryId: s.queryId,
    fingerprint: statementFingerprint(s.query),
    query: s.query,
    counters: {
      calls: c.calls,
      totalMs: c.totalMs,
      sumSqMs: c.sumSqMs,
      rows: c.rows,
      sharedBlksHit: c.sharedBlksHit,
      sharedBlksRead: c.sharedBlksRead,
      tempBlksRead: c.tempBlksRead,
      tempBlksWritten: c.tempBlksWritten,
    },
  };
}

function indexOf(i: Snapshot["indexes"][number], scans: number | null): DiffSide["indexes"][number] {
  return {
    schema: i.schema,
    name: i.name,
    tableSchema: i.tableSchema,
    table: i.table,
    definition: i.definition,
    sizeBytes: i.sizeBytes,
    scans,
  };
}

function latest(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
