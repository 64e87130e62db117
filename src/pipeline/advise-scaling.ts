/**
 * `dbopt advise scaling`: connection pooling and read replicas from the workload. pg_stat_activity is sampled
 * over a short window, or read from the samples `dbopt collect` kept in the history store over days (plus
 * pg_stat_database's session counters), pg_stat_statements' statements are read for what they do to a pooled
 * session and whether a standby could run them, and traces and server logs (when given) tell which reads follow
 * their own writes. Everything is read-only.
 */
import { stat } from "node:fs/promises";
import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { collectReplication } from "../facts/collect/collect-replication.js";
import { collectWorkload } from "../facts/collect/collect-workload.js";
import { Fingerprinter } from "../facts/logs/fingerprinter.js";
import type { MachineFacts } from "../facts/machine-facts.js";
import { type ActivitySamples, sampleActivity } from "../facts/scaling/activity-samples.js";
import { functionVolatility } from "../facts/scaling/function-volatility.js";
import { type LogOwnWritesRead, readLogOwnWrites } from "../facts/scaling/log-own-writes.js";
import { statementTraits } from "../facts/scaling/statement-traits.js";
import {
  OWN_WRITE_EXAMPLES,
  type OwnWriteExample,
  type OwnWrites,
  traceOwnWrites,
} from "../facts/scaling/trace-own-writes.js";
import { readTraceFiles } from "../facts/traces/read-trace-files.js";
import type { Finding } from "../findings/finding.js";
import type { ScalingFacts, ScalingStatement } from "../rules/architecture/scaling-facts.js";
import { ARCHITECTURE_RULES } from "../rules/registry.js";
import { type RuleOverrides, runRules } from "../rules/run-rules.js";
import { openExistingStore } from "../store/open-existing-store.js";
import { busiestSampleClients, readStoredActivity } from "../store/read-activity.js";
import { readIdentity } from "../store/read-target-sample.js";
import { formatMs } from "../util/format.js";
import { InputError } from "../util/input-error.js";
import { loadSqlParser } from "../util/sql-parser.js";
import { onConnection } from "./on-connection.js";

export interface AdviseScalingOptions {
  /** pg_stat_activity samples to take, `intervalMs` apart. */
  samples: number;
  intervalMs: number;
  machine: MachineFacts;
  /** Effective spindles in the pool formula; 1 unless the user says. */
  spindles?: number;
  /** Statements that tolerate replica lag: a queryid, or a piece of the statement's text (case-insensitive). */
  lagTolerant?: string[];
  /** OTLP/JSON trace files, to tell which reads follow their own writes. */
  traceFiles?: string[];
  /** PostgreSQL server logs (as dbopt logs reads them), to tell which reads follow their own writes per session. */
  logFiles?: string[];
  /** The stderr log's log_line_prefix, when it cannot be read off the log. */
  logPrefix?: string;
  /** A read this soon after its session committed a write to a table it reads needs the primary (default 1 s). */
  ownWriteWindowMs?: number;
  /**
   * Connections from the history store instead of sampling now: the samples `dbopt collect` kept over the last
   * `sinceMs` (the store at `url`, else the embedded one in `home`). Without stored samples it samples now.
   */
  store?: { url?: string | undefined; home?: string | undefined; sinceMs: number };
  overrides?: RuleOverrides;
  signal?: AbortSignal;
}

export interface ScalingReport {
  kind: "scaling";
  generatedAt: string;
  server: { version: string; database: string };
  findings: Finding[];
  activity: { samples: number; intervalMs: number; maxConnections: number; reservedConnections: number };
  statementsRead: number;
  tracesRead: { files: number; spans: number; traces: number } | null;
  /** Server logs read for reads that follow their own writes. */
  logsRead?: {
    files: number;
    statements: number;
    reads: number;
    sessions: number;
    /** Read statement shapes of the logs that match a pg_stat_statements entry, and all of them. */
    matchedShapes: number;
    shapes: number;
    windowMs: number;
  } | null;
  /**
   * The reads seen in traces or logs to follow their own writes, heaviest first: how often, and the lines or spans
   * of the first runs and the writes they followed (what each read-your-own-writes judgement rests on).
   */
  ownWriteReads?: Array<{
    queryId: string;
    query: string;
    after: number;
    seen: number;
    examples: OwnWriteExample[];
  }>;
  /** Where the connection samples came from: taken now, or the history store over days. */
  activitySource?: {
    kind: "live" | "store";
    store?: string;
    firstAt?: string;
    lastAt?: string;
    days?: number;
  };
  notes: string[];
}

export async function adviseScaling(
  db: PostgresConnector | (() => Promise<PostgresConnector>),
  options: AdviseScalingOptions,
): Promise<ScalingReport> {
  await loadSqlParser();
  // Traces are read before connecting: a bad file is the user's mistake, found without touching the server.
  const traces = options.traceFiles?.length ? await readTraceFiles(options.traceFiles) : null;
  for (const path of options.logFiles ?? [])
    if (path !== "-" && !(await stat(path).catch(() => null)))
      throw new InputError(`${path} does not exist`, "give the path of a PostgreSQL server log");
  return onConnection(db, (opened) => adviseOn(opened, options, traces));
}

async function adviseOn(
  db: PostgresConnector,
  options: AdviseScalingOptions,
  traces: Awaited<ReturnType<typeof readTraceFiles>> | null,
): Promise<ScalingReport> {
  const caps = await db.capabilities();
  const notes: string[] = [];
  const workload = await collectWorkload(db, caps, 500);
  if (workload.source === "none")
    notes.push(
      `No statements: ${workload.problem ?? "pg_stat_statements cannot be read"}. Pooler mode and read replicas need them; the pool size is still measured.`,
    );
  const [replication, [identity]] = await Promise.all([
    collectReplication(db),
    db.query<{ database: string; track_utility: string | null }>(
      "select current_database() as database, current_setting('pg_stat_statements.track_utility', true) as track_utility",
    ),
  ]);
  const traits = workload.statements.map((s) => statementTraits(s.query));
  const names = [...new Set(traits.filter((t) => t.kind === "read").flatMap((t) => t.functions))];
  const volatility = await functionVolatility(db, names);
  const fingerprints = new Fingerprinter();
  const traced: OwnWrites | null = traces ? traceOwnWrites(traces.db, fingerprints) : null;
  const windowMs = options.ownWriteWindowMs ?? 1000;
  const logged: LogOwnWritesRead | null = options.logFiles?.length
    ? await readLogOwnWrites(options.logFiles, fingerprints, {
        windowMs,
        ...(identity?.database ? { database: identity.database } : {}),
        ...(options.logPrefix ? { prefix: options.logPrefix } : {}),
      })
    : null;
  if (logged) notes.push(...logNotes(logged, windowMs));
  const ownWrites = mergeOwnWrites(traced, logged?.ownWrites ?? null);
  const marks = (options.lagTolerant ?? []).map((m) => m.trim()).filter(Boolean);
  const statements: ScalingStatement[] = workload.statements.map((s, i) => {
    const t = traits[i] as ScalingStatement["traits"];
    const own = ownWrites?.get(fingerprints.shape(s.query).fingerprint);
    return {
      queryId: s.queryId,
      query: s.query,
      calls: s.calls,
      totalMs: s.totalMs,
      meanMs: s.meanMs,
      traits: t,
      volatileFunction: t.functions.find((f) => volatility.mayWrite.get(f)) ?? null,
      lagTolerant: marks.some((m) => m === s.queryId || s.query.toLowerCase().includes(m.toLowerCase())),
      ...(own ? { ownWrites: own } : {}),
    };
  });
  const unmatched = marks.filter(
    (m) =>
      !workload.statements.some((s) => m === s.queryId || s.query.toLowerCase().includes(m.toLowerCase())),
  );
  if (unmatched.length > 0)
    notes.push(`--lag-tolerant ${unmatched.join(", ")} matched no statement of pg_stat_statements.`);
  const activity = await connectionSamples(db, options, notes);
  if (!activity.sessionTotals)
    notes.push(
      "Before PostgreSQL 14 there are no session counters: transaction lengths come from the samples alone.",
    );
  const facts: ScalingFacts = {
    activity,
    statements,
    workloadTotalMs: workload.totalMs,
    workloadTotalCalls: workload.totalCalls,
    trackUtility: identity?.track_utility == null ? null : identity.track_utility === "on",
    machine: options.machine,
    spindles: options.spindles ?? 1,
    standbys: replication.standbys,
    tracesRead: traces !== null,
    logsRead: logged !== null,
    ...(logged ? { ownWriteWindowMs: windowMs } : {}),
  };
  const pssShapes = new Set(workload.statements.map((s) => fingerprints.shape(s.query).fingerprint));
  const loggedShapes = logged ? [...logged.ownWrites.keys()] : [];
  return {
    kind: "scaling",
    generatedAt: new Date().toISOString(),
    server: { version: caps.serverVersion, database: identity?.database ?? "" },
    findings: runRules(ARCHITECTURE_RULES, facts, options.overrides),
    activity: {
      samples: activity.samples.length,
      intervalMs: activity.intervalMs,
      maxConnections: activity.maxConnections,
      reservedConnections: activity.reservedConnections,
    },
    statementsRead: statements.length,
    ownWriteReads: statements
      .filter((x) => (x.ownWrites?.after ?? 0) > 0)
      .sort((a, b) => b.totalMs - a.totalMs)
      .map((x) => ({
        queryId: x.queryId,
        query: x.query,
        after: x.ownWrites?.after ?? 0,
        seen: x.ownWrites?.seen ?? 0,
        examples: x.ownWrites?.examples ?? [],
      })),
    tracesRead: traces
      ? { files: options.traceFiles?.length ?? 0, spans: traces.db.length, traces: traces.traces.size }
      : null,
    logsRead: logged
      ? {
          files: logged.files.length,
          statements: logged.quality.statements,
          reads: logged.quality.reads,
          sessions: logged.quality.sessions,
          matchedShapes: loggedShapes.filter((fp) => pssShapes.has(fp)).length,
          shapes: loggedShapes.length,
          windowMs,
        }
      : null,
    activitySource: activity.stored
      ? {
          kind: "store",
          store: activity.stored.store,
          firstAt: activity.stored.firstAt,
          lastAt: activity.stored.lastAt,
          days: activity.stored.days,
        }
      : { kind: "live" },
    notes,
  };
}

/** Connections from the history store when asked and it has them, else sampled now. */
async function connectionSamples(
  db: PostgresConnector,
  options: AdviseScalingOptions,
  notes: string[],
): Promise<ActivitySamples> {
  const live = () =>
    sampleActivity(db, {
      samples: options.samples,
      intervalMs: options.intervalMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  if (!options.store) return live();
  const identity = await readIdentity(db);
  const opened = await openExistingStore({ url: options.store.url, home: options.store.home });
  try {
    const to = new Date();
    const window = { from: new Date(to.getTime() - options.store.sinceMs), to };
    const stored = await readStoredActivity(opened.store, identity, db.target.display, window);
    if (stored.missing !== null || stored.targetId === null) {
      notes.push(
        `No stored connection samples: ${stored.missing}. Sampled pg_stat_activity now instead (${options.samples} × ${formatMs(options.intervalMs)}).`,
      );
      return live();
    }
    // No samples now: the limits and pg_stat_database's session counters, read as of now.
    const now = await sampleActivity(db, { samples: 0, intervalMs: 0 });
    return {
      ...now,
      samples: stored.samples,
      intervalMs: stored.medianIntervalMs,
      maxConnections: stored.maxConnections,
      reservedConnections: stored.reservedConnections,
      stored: {
        store: opened.description,
        firstAt: (stored.firstAt as Date).toISOString(),
        lastAt: (stored.lastAt as Date).toISOString(),
        days: stored.days,
        maxConnectionsSeen: stored.maxConnectionsSeen,
        busiestClients: await busiestSampleClients(opened.store, stored.targetId, window),
      },
    };
  } finally {
    await opened.close();
  }
}

/** Traces' and logs' counts of the same statement added up. */
function mergeOwnWrites(a: OwnWrites | null, b: OwnWrites | null): OwnWrites | null {
  if (!a || !b) return a ?? b;
  const out: OwnWrites = new Map([...a].map(([k, v]) => [k, { ...v }]));
  for (const [k, v] of b) {
    const known = out.get(k);
    if (!known) out.set(k, { ...v });
    else {
      known.after += v.after;
      known.seen += v.seen;
      known.inTransaction = (known.inTransaction ?? 0) + (v.inTransaction ?? 0);
      known.withinWindow = (known.withinWindow ?? 0) + (v.withinWindow ?? 0);
      const examples = [...(known.examples ?? []), ...(v.examples ?? [])].slice(0, OWN_WRITE_EXAMPLES);
      if (examples.length) known.examples = examples;
    }
  }
  return out;
}

/** What the logs could not tell: no session id, no times, no statements. */
function logNotes(logged: LogOwnWritesRead, windowMs: number): string[] {
  const q = logged.quality;
  const notes: string[] = [];
  const set =
    "set log_line_prefix = '%m [%p] %q%u@%d ' (or with %c for the session id; csvlog and jsonlog have both) and log every statement (log_min_duration_statement = 0 or log_statement = 'all')";
  if (q.statements === 0) {
    notes.push(`The logs hold no statement of this database: ${set}.`);
    return notes;
  }
  if (q.withSession + q.withPidOnly === 0)
    notes.push(
      `The logs' lines carry neither a session id (%c) nor a process id (%p): every statement was read as one session, so reads may be charged with other sessions' writes. ${set}.`,
    );
  if (q.timed < q.statements)
    notes.push(
      `${q.statements - q.timed} of ${q.statements} logged statements have no time (%m): for them only reads in the writing transaction count, not reads within ${formatMs(windowMs)} of a commit. ${set}.`,
    );
  return notes;
}
