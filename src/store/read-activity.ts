/**
 * The connections `dbopt collect` stored (activity_sample, schema 5) of one target over a window, as the scaling
 * rules read live samples: one ActivitySample per stored sample, counts by state, the ages of open transactions.
 * The target is found by its cluster's system identifier and database name, as the collector keys it, else by the
 * address it was collected at.
 */
import type { ActivityGroup, ActivitySample } from "../facts/scaling/activity-samples.js";
import type { TargetIdentity } from "./read-target-sample.js";
import type { StoreConnection } from "./store-connection.js";
import { storeVersion } from "./store-migrations.js";
import { findTarget } from "./store-targets.js";

const STATES = [
  ["active", "active"],
  ["idle", "idle"],
  ["idle in transaction", "idle_in_transaction"],
  ["idle in transaction (aborted)", "idle_in_transaction_aborted"],
  ["other", "other"],
] as const;

export interface StoredActivity {
  /** Why no stored samples are used (no target, an older store, none in the window), else null. */
  missing: string | null;
  targetId: number | null;
  samples: ActivitySample[];
  maxConnections: number;
  reservedConnections: number;
  /** Distinct max_connections values in the window (more than one: the limit changed). */
  maxConnectionsSeen: number[];
  firstAt: Date | null;
  lastAt: Date | null;
  /** Distinct UTC days the samples fall on. */
  days: number;
  /** Median time between consecutive samples. */
  medianIntervalMs: number;
}

export async function readStoredActivity(
  store: StoreConnection,
  identity: TargetIdentity,
  address: string,
  window: { from: Date; to: Date },
): Promise<StoredActivity> {
  const none = (missing: string): StoredActivity => ({
    missing,
    targetId: null,
    samples: [],
    maxConnections: 0,
    reservedConnections: 0,
    maxConnectionsSeen: [],
    firstAt: null,
    lastAt: null,
    days: 0,
    medianIntervalMs: 0,
  });
  const version = await storeVersion(store);
  if (version < 5)
    return none(
      `the store is at schema version ${version}, before connection samples (5): run dbopt collect with this dbopt on it to start keeping them`,
    );
  const target = await findTarget(store, identity, address);
  if (!target) return none(`the store has no samples of ${address}: run dbopt collect on it`);
  const rows = await store.query<Record<string, unknown>>(
    `select taken_at, active, idle, idle_in_transaction, idle_in_transaction_aborted, other, lock_waits,
            max_connections, reserved_connections, xact_ages
       from dbopt_store.activity_sample
      where target_id = $1 and taken_at >= $2 and taken_at <= $3
      order by taken_at`,
    [target.id, window.from, window.to],
  );
  if (rows.length === 0)
    return {
      ...none(
        `the store has no connection samples of ${address} since ${window.from.toISOString()} (dbopt collect before schema version 5 kept none)`,
      ),
      targetId: Number(target.id),
    };
  const samples = rows.map((r) => {
    const groups: ActivityGroup[] = STATES.filter(([, column]) => Number(r[column]) > 0).map(
      ([state, column]) => ({
        state,
        application: "",
        user: "",
        clientAddr: null,
        database: null,
        connections: Number(r[column]),
        // Waits are on running statements.
        lockWaits: state === "active" ? Number(r.lock_waits) : 0,
        oldestXactS: null,
      }),
    );
    return {
      atMs: (r.taken_at as Date).getTime(),
      groups,
      openXactAgesS: ((r.xact_ages as number[] | null) ?? []).map(Number),
    } satisfies ActivitySample;
  });
  const last = rows.at(-1) as Record<string, unknown>;
  const gaps = samples
    .slice(1)
    .map((s, i) => s.atMs - (samples[i] as ActivitySample).atMs)
    .sort((a, b) => a - b);
  return {
    missing: null,
    targetId: Number(target.id),
    samples,
    maxConnections: Number(last.max_connections),
    reservedConnections: Number(last.reserved_connections),
    maxConnectionsSeen: [...new Set(rows.map((r) => Number(r.max_connections)))],
    firstAt: rows[0]?.taken_at as Date,
    lastAt: last.taken_at as Date,
    days: new Set(samples.map((s) => new Date(s.atMs).toISOString().slice(0, 10))).size,
    medianIntervalMs: gaps.length > 0 ? (gaps[Math.floor(gaps.length / 2)] as number) : 0,
  };
}

/** The clients that held the most idle connections at the stored sample with the most connections. */
export async function busiestSampleClients(
  store: StoreConnection,
  targetId: number,
  window: { from: Date; to: Date },
): Promise<
  Array<{ application: string; user: string; clientAddr: string | null; state: string; connections: number }>
> {
  const rows = await store.query<Record<string, unknown>>(
    `select g->>'application' as application, g->>'user' as usr, g->>'clientAddr' as client_addr,
            g->>'state' as state, (g->>'connections')::int as connections
       from (select groups from dbopt_store.activity_sample
              where target_id = $1 and taken_at >= $2 and taken_at <= $3
              order by connections desc, taken_at desc limit 1) s,
            jsonb_array_elements(s.groups) g
      order by 5 desc limit 5`,
    [targetId, window.from, window.to],
  );
  return rows.map((r) => ({
    application: String(r.application ?? ""),
    user: String(r.usr ?? ""),
    clientAddr: (r.client_addr as string | null) ?? null,
    state: String(r.state),
    connections: Number(r.connections),
  }));
}
