import { hostname } from "node:os";
import { DbError } from "../connectors/db-error.js";
import { type ConnectorOptions, PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import type { PgTarget } from "../connectors/postgres/target.js";
import { genericPlan } from "../facts/plan/explain-runner.js";
import { repairNormalizedQuery } from "../facts/sql/normalized-statement.js";
import { explainableStatement } from "../facts/sql/statement-kind.js";
import { openStore } from "../store/open-store.js";
import { planShapeHash } from "../store/plan-shape.js";
import {
  probeWaits,
  readIdentity,
  readTargetSample,
  statementKey,
  type TargetIdentity,
  type TargetSample,
  type WaitObservation,
} from "../store/read-target-sample.js";
import {
  loadStoredStatements,
  type PlannedStatement,
  statementDeltas,
  type WaitTally,
  writeGap,
  writeSample,
} from "../store/sample-writer.js";
import type { StoreConnection } from "../store/store-connection.js";
import { migrateStore } from "../store/store-migrations.js";
import { PartitionKeeper } from "../store/store-partitions.js";
import { addressTarget, targetId } from "../store/store-targets.js";
import { loadSqlParser } from "../util/sql-parser.js";

export interface CollectOptions {
  targets: PgTarget[];
  /** A team store (postgresql://...); else the embedded store in `home` ($DBOPT_HOME, ~/.local/share/dbopt). */
  store?: string | undefined;
  home?: string;
  /** Time between samples. */
  everyMs: number;
  /** One sample of each target, then stop. */
  once: boolean;
  /** Drop the days of samples older than this (whole partitions), after each round. */
  keepMs?: number | null;
  /** How many of the top statements (by time since the previous sample) get their generic plan stored. */
  planStatements?: number;
  connector?: Partial<ConnectorOptions>;
  /** Stops the collection between samples. */
  signal?: AbortSignal;
  onSample?: (outcome: SampleOutcome) => void;
  onProgress?: (message: string) => void;
}

export interface SampleOutcome {
  /** The target as given: user@host:port/database, no password. */
  target: string;
  at: Date;
  /** Null when the sample was written; the reason otherwise (the target is recorded with a gap). */
  gap: string | null;
  first: boolean;
  statements: number;
  active: number;
  plans: number;
  waitProbes: number;
  /** Why every counter started again since the previous sample, if it did. */
  restarted: string | null;
  /** Time spent reading the target (its load from dbopt), in milliseconds. */
  targetMs: number;
  /** Another collector stored a later sample of this target first: this one was dropped. */
  superseded: boolean;
}

export interface CollectRun {
  store: string;
  schema: { from: number; to: number };
  samples: SampleOutcome[];
  /** Days whose partitions retention dropped. */
  droppedDays: string[];
}

/** pg_stat_activity looks within one sample of `--once` (none came before it). */
const ONCE_PROBES = 5;
const ONCE_PROBE_GAP_MS = 100;

/**
 * `dbopt collect`: sample each target into the history store, every `everyMs` until the signal (or once). A
 * target that cannot be read gets a gap with the reason and the others go on; a store that cannot be written
 * stops the collection (there is nowhere to record anything).
 */
export async function collectSamples(options: CollectOptions): Promise<CollectRun> {
  await loadSqlParser();
  const opened = await openStore({
    url: options.store,
    ...(options.home ? { home: options.home } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const sessions = options.targets.map((t) => new TargetSession(t, options.connector ?? {}));
  try {
    const { store } = opened;
    const schema = await migrateStore(store);
    const keeper = new PartitionKeeper(store);
    const run: CollectRun = { store: opened.description, schema, samples: [], droppedDays: [] };
    const collector = `${hostname()}/${process.pid}`;
    for (;;) {
      const roundStart = Date.now();
      for (const session of sessions) {
        if (options.signal?.aborted) break;
        const outcome = await sampleTarget(store, keeper, session, options, collector);
        run.samples.push(outcome);
        options.onSample?.(outcome);
      }
      if (options.keepMs)
        run.droppedDays.push(...(await keeper.dropBefore(new Date(Date.now() - options.keepMs))));
      if (options.once || options.signal?.aborted) break;
      await probeUntil(sessions, roundStart + options.everyMs, options.everyMs, options.signal);
      if (options.signal?.aborted) break;
    }
    return run;
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
    await opened.close();
  }
}

/** A target's connection (kept between samples, opened again after a failure) and its waits since the last sample. */
class TargetSession {
  private db: PostgresConnector | null = null;
  identity: TargetIdentity | null = null;
  private probes = 0;
  private seen = new Map<string, WaitObservation>();

  constructor(
    readonly target: PgTarget,
    private readonly connectorOptions: Partial<ConnectorOptions>,
  ) {}

  get database(): string {
    return /\/([^/]*)$/.exec(this.target.display)?.[1] ?? "";
  }

  async connection(): Promise<PostgresConnector> {
    this.db ??= await PostgresConnector.connect(this.target, this.connectorOptions);
    return this.db;
  }

  /** One look at pg_stat_activity; a failure only loses this look (the sample reports the target's problem). */
  async probe(): Promise<void> {
    try {
      const db = await this.connection();
      const observations = await probeWaits(db, (await db.capabilities()).major);
      this.probes++;
      for (const o of observations) {
        const key = `${o.state}/${o.waitEventType}/${o.waitEvent}/${o.queryId}`;
        const known = this.seen.get(key);
        if (known) known.sessions += o.sessions;
        else this.seen.set(key, { ...o });
      }
    } catch {
      await this.drop();
    }
  }

  takeWaits(): WaitTally {
    const tally = { probes: this.probes, observations: [...this.seen.values()] };
    this.probes = 0;
    this.seen = new Map();
    return tally;
  }

  get waitProbes(): number {
    return this.probes;
  }

  async drop(): Promise<void> {
    const db = this.db;
    this.db = null;
    await db?.close();
  }

  async close(): Promise<void> {
    await this.drop();
  }
}

async function sampleTarget(
  store: StoreConnection,
  keeper: PartitionKeeper,
  session: TargetSession,
  options: CollectOptions,
  collector: string,
): Promise<SampleOutcome> {
  const display = session.target.display;
  // With no interval to look in, a few looks at pg_stat_activity before the sample (their pauses are not load).
  if (options.once && session.waitProbes === 0)
    for (let i = 0; i < ONCE_PROBES; i++) {
      if (i > 0) await new Promise((done) => setTimeout(done, ONCE_PROBE_GAP_MS));
      await session.probe();
    }
  const started = Date.now();
  let sample: TargetSample;
  let db: PostgresConnector;
  try {
    db = await session.connection();
    session.identity ??= await readIdentity(db);
    sample = await readTargetSample(db, session.identity);
  } catch (error) {
    await session.drop();
    const at = new Date();
    const reason = errorLine(error);
    await keeper.ensure(at);
    const id = await addressTarget(store, display, session.database, null, at);
    await writeGap(
      store,
      id,
      at,
      { code: error instanceof DbError ? error.code : "error", message: reason },
      collector,
    );
    session.takeWaits();
    return {
      target: display,
      at,
      gap: reason,
      first: false,
      statements: 0,
      active: 0,
      plans: 0,
      waitProbes: 0,
      restarted: null,
      targetMs: Date.now() - started,
      superseded: false,
    };
  }
  let targetMs = Date.now() - started;
  await keeper.ensure(sample.takenAt);
  const id = await targetId(store, session.identity, display, sample.takenAt);
  const stored = await loadStoredStatements(store, id);
  const planStarted = Date.now();
  const plans = await topPlans(
    db,
    sample,
    statementDeltas(sample, stored).deltas,
    options.planStatements ?? 10,
  );
  targetMs += Date.now() - planStarted;
  const waits = session.takeWaits();
  const written = await writeSample(store, id, { sample, plans, waits, durationMs: targetMs, collector });
  return {
    target: display,
    at: written.takenAt,
    gap: null,
    first: written.first,
    statements: written.statements,
    active: written.active,
    plans: plans.length,
    waitProbes: waits.probes,
    restarted: written.restarted,
    targetMs,
    superseded: written.superseded,
  };
}

/**
 * Generic plans of the statements that took the most time since the previous sample (all time on a target's
 * first sample). A statement that cannot be planned (a utility statement, an object gone) is skipped.
 */
async function topPlans(
  db: PostgresConnector,
  sample: TargetSample,
  deltas: ReturnType<typeof statementDeltas>["deltas"],
  limit: number,
): Promise<PlannedStatement[]> {
  const timeOf = (key: string, totalMs: number) => {
    const d = deltas.get(key);
    return d === undefined || d === null ? totalMs : d.delta.totalMs;
  };
  const ranked = sample.workload.statements
    .map((s) => ({ s, key: statementKey(s), ms: timeOf(statementKey(s), s.totalMs) }))
    .filter((r) => r.ms > 0)
    .sort((a, b) => b.ms - a.ms);
  const plans: PlannedStatement[] = [];
  for (const { s, key } of ranked) {
    if (plans.length >= limit) break;
    const text = repairNormalizedQuery(s.query).trim().replace(/;\s*$/, "");
    let parameters: number;
    try {
      parameters = explainableStatement(text).parameters;
    } catch {
      continue;
    }
    try {
      const plan = await genericPlan(db, text, parameters, sample.identity.major);
      plans.push({ key, plan, shapeHash: planShapeHash(plan) });
    } catch (error) {
      // A lost connection ends the plans of this sample; a statement that does not plan is only skipped.
      if (error instanceof DbError && error.isConnectionError) break;
    }
  }
  return plans;
}

/** Wait until `until`, looking at every target's pg_stat_activity several times meanwhile. */
async function probeUntil(
  sessions: TargetSession[],
  until: number,
  everyMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  // About ten looks per interval, at most one a minute (and a few a second for short test intervals).
  const gap = Math.min(60_000, Math.max(250, Math.floor(everyMs / 10)));
  for (let next = Date.now() + gap; ; next += gap) {
    const wake = Math.min(next, until);
    if (!(await sleep(wake - Date.now(), signal))) return;
    if (wake >= until) return;
    for (const s of sessions) await s.probe();
  }
}

/** Sleep; false when the signal stopped it. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((done) => {
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        done(true);
      },
      Math.max(0, ms),
    );
    const onAbort = () => {
      clearTimeout(timer);
      done(false);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function errorLine(error: unknown): string {
  if (error instanceof DbError) return error.hint ? `${error.message} (${error.hint})` : error.message;
  return error instanceof Error ? error.message : String(error);
}
