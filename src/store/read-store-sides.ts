import type { DiffSide, SidePlan, SideStatement } from "../facts/diff-side.js";
import type { Plan } from "../facts/plan/plan-model.js";
import { InputError } from "../util/input-error.js";
import {
  type StoredTarget,
  sampleAtOrBefore,
  sampleIndexes,
  sampleTables,
  settingsAt,
} from "./read-sample-objects.js";
import type { StoreConnection } from "./store-connection.js";

type Row = Record<string, unknown>;

/**
 * Two times of one target in the store as the two sides of a diff. `from` and `to` snap to the latest sample at or
 * before each. The after window is (from, to]; the before window is as long and ends at `from` (or starts at the
 * target's first sample when the store holds less). Statement figures are the sums of the samples' deltas in each
 * window; objects and settings are as the sample at each end saw them; each side's plan of a statement is the
 * last one stored in (or, before, up to) its window.
 */
export async function readStoreSides(
  store: StoreConnection,
  target: StoredTarget,
  from: Date,
  to: Date | null,
): Promise<{ before: DiffSide; after: DiffSide }> {
  const s1 = await sampleAtOrBefore(store, target.id, from);
  const [first] = await store.query<{ first: Date | null; last: Date | null }>(
    "select min(taken_at) as first, max(taken_at) as last from dbopt_store.sample where target_id = $1",
    [target.id],
  );
  const range = first?.first
    ? `its samples run from ${iso(first.first)} to ${iso(first.last as Date)}`
    : "it has no samples";
  if (!s1)
    throw new InputError(
      `the history store has no sample of ${target.address} at or before ${iso(from)} (--from)`,
      `pass a later --from: ${range}`,
    );
  const s2 = await sampleAtOrBefore(store, target.id, to ?? new Date(8.64e15));
  if (!s2 || s2 <= s1)
    throw new InputError(
      `the history store has no sample of ${target.address} after ${iso(s1)} ${to ? `up to ${iso(to)} (--to)` : ""}`.trim(),
      `pass times with samples between them: ${range}`,
    );
  const s0 = new Date(s1.getTime() - (s2.getTime() - s1.getTime()));
  // Index scan counters are cumulative: the before window's start is the latest sample at or before s0.
  const base = (await sampleAtOrBefore(store, target.id, s0)) ?? (first?.first as Date);
  const statements = await windowStatements(store, target.id, s0, s1, s2);
  const plans = await windowPlans(store, target.id, s1, s2);
  const settings = {
    before: await settingsAt(store, target.id, s1),
    after: await settingsAt(store, target.id, s2),
  };
  const blockSize = Number(settings.after.find((s) => s.name === "block_size")?.setting ?? 8192) || 8192;
  const scansAt = async (at: Date) =>
    new Map((await sampleIndexes(store, target.id, at)).map((i) => [`${i.schema}.${i.name}`, i.idxScan]));
  const baseScans = base < s1 ? await scansAt(base) : null;
  const sideAt = async (
    at: Date,
    windowFrom: Date,
    earlier: Map<string, number | null> | null,
    which: "before" | "after",
  ): Promise<DiffSide> => {
    const indexes = await sampleIndexes(store, target.id, at);
    const tables = await sampleTables(store, target.id, at);
    const samples = await store.query<{ n: number }>(
      "select count(*)::int as n from dbopt_store.sample where target_id = $1 and taken_at > $2 and taken_at <= $3 and previous_taken_at is not null",
      [target.id, windowFrom, at],
    );
    return {
      label: `${target.address} at ${iso(at)}`,
      database: target.database,
      serverVersion: target.serverVersion ?? "unknown",
      at: iso(at),
      window: {
        from: iso(windowFrom),
        to: iso(at),
        description: `${samples[0]?.n ?? 0} samples from ${iso(windowFrom)} to ${iso(at)}`,
      },
      statements: statements[which],
      tables: tables.map((t) => {
        const a = t.counters.last_analyze as Date | null;
        const b = t.counters.last_autoanalyze as Date | null;
        const analyzed = a && b ? new Date(Math.max(a.getTime(), b.getTime())) : (a ?? b);
        return {
          schema: t.schema,
          name: t.name,
          rows: t.rowsEstimate,
          totalBytes: t.totalBytes,
          analyzedAt: analyzed ? iso(analyzed) : null,
        };
      }),
      indexes: indexes.map((i) => {
        const was = earlier?.get(`${i.schema}.${i.name}`);
        const scans =
          i.idxScan === null || earlier === null || was === undefined || was === null
            ? null
            : i.idxScan >= was
              ? i.idxScan - was
              : i.idxScan;
        return {
          schema: i.schema,
          name: i.name,
          tableSchema: i.tableSchema,
          table: i.table,
          definition: i.definition,
          sizeBytes: i.sizeBytes,
          scans,
        };
      }),
      settings: settings[which].map((s) => ({
        name: s.name,
        setting: s.setting,
        unit: s.unit,
        source: s.source,
      })),
      plans: plans[which],
      blockSize,
      notes: [],
    };
  };
  const before = await sideAt(s1, base > s0 ? base : s0, baseScans, "before");
  const after = await sideAt(s2, s1, await scansAt(s1), "after");
  if (base > s0)
    before.notes.push(
      `the store's first sample is at ${iso(base)}: the before window is shorter than the after window`,
    );
  return { before, after };
}

async function windowStatements(
  store: StoreConnection,
  targetId: number,
  s0: Date,
  s1: Date,
  s2: Date,
): Promise<{ before: SideStatement[]; after: SideStatement[] }> {
  const rows = await store.query<Row>(
    `select s.queryid::text as queryid, s.fingerprint, s.query, ss.taken_at > $3 as after,
            sum(ss.calls)::float8 as calls, sum(ss.total_ms)::float8 as total_ms, sum(ss.sum_sq_ms)::float8 as sum_sq_ms,
            sum(ss.rows)::float8 as rows, sum(ss.shared_blks_hit)::float8 as hit, sum(ss.shared_blks_read)::float8 as read,
            sum(ss.temp_blks_read)::float8 as temp_read, sum(ss.temp_blks_written)::float8 as temp_written
       from dbopt_store.statement_sample ss join dbopt_store.statement s on s.id = ss.statement_id
      where ss.target_id = $1 and ss.taken_at > $2 and ss.taken_at <= $4
      group by s.id, 4`,
    [targetId, s0, s1, s2],
  );
  const out: { before: SideStatement[]; after: SideStatement[] } = { before: [], after: [] };
  for (const r of rows)
    out[r.after ? "after" : "before"].push({
      queryId: String(r.queryid),
      fingerprint: (r.fingerprint as string | null) ?? null,
      query: String(r.query),
      counters: {
        calls: Number(r.calls),
        totalMs: Number(r.total_ms),
        sumSqMs: Number(r.sum_sq_ms),
        rows: Number(r.rows),
        sharedBlksHit: Number(r.hit),
        sharedBlksRead: Number(r.read),
        tempBlksRead: Number(r.temp_read),
        tempBlksWritten: Number(r.temp_written),
      },
    });
  return out;
}

/** Per queryid, the latest stored plan up to s1 (before) and in (s1, s2] (after). */
async function windowPlans(
  store: StoreConnection,
  targetId: number,
  s1: Date,
  s2: Date,
): Promise<{ before: Record<string, SidePlan>; after: Record<string, SidePlan> }> {
  const rows = await store.query<{
    queryid: string;
    after: boolean;
    shape_hash: string;
    plan: Plan;
    taken_at: Date;
  }>(
    `select distinct on (s.queryid, ps.taken_at > $2) s.queryid::text as queryid, ps.taken_at > $2 as after,
            p.shape_hash, p.plan, ps.taken_at
       from dbopt_store.plan_sample ps
       join dbopt_store.plan p on p.id = ps.plan_id
       join dbopt_store.statement s on s.id = ps.statement_id
      where ps.target_id = $1 and ps.taken_at <= $3
      order by s.queryid, ps.taken_at > $2, ps.taken_at desc`,
    [targetId, s1, s2],
  );
  const out: { before: Record<string, SidePlan>; after: Record<string, SidePlan> } = {
    before: {},
    after: {},
  };
  for (const r of rows)
    out[r.after ? "after" : "before"][r.queryid] = {
      shapeHash: r.shape_hash,
      plan: r.plan,
      seenAt: iso(r.taken_at),
    };
  return out;
}

function iso(d: Date): string {
  return d.toISOString();
}
