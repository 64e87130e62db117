/**
 * `dbopt advise scaling`: connection pooling and read replicas from the workload. pg_stat_activity is sampled
 * over a short window (plus pg_stat_database's session counters), pg_stat_statements' statements are read for
 * what they do to a pooled session and whether a standby could run them, and traces (when given) tell which
 * reads follow their own writes. Everything is read-only.
 */
import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { collectReplication } from "../facts/collect/collect-replication.js";
import { collectWorkload } from "../facts/collect/collect-workload.js";
import { Fingerprinter } from "../facts/logs/fingerprinter.js";
import type { MachineFacts } from "../facts/machine-facts.js";
import { sampleActivity } from "../facts/scaling/activity-samples.js";
import { functionVolatility } from "../facts/scaling/function-volatility.js";
import { statementTraits } from "../facts/scaling/statement-traits.js";
import { type OwnWrites, traceOwnWrites } from "../facts/scaling/trace-own-writes.js";
import { readTraceFiles } from "../facts/traces/read-trace-files.js";
import type { Finding } from "../findings/finding.js";
import type { ScalingFacts, ScalingStatement } from "../rules/architecture/scaling-facts.js";
import { ARCHITECTURE_RULES } from "../rules/registry.js";
import { type RuleOverrides, runRules } from "../rules/run-rules.js";
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
  notes: string[];
}

export async function adviseScaling(
  db: PostgresConnector | (() => Promise<PostgresConnector>),
  options: AdviseScalingOptions,
): Promise<ScalingReport> {
  await loadSqlParser();
  // Traces are read before connecting: a bad file is the user's mistake, found without touching the server.
  const traces = options.traceFiles?.length ? await readTraceFiles(options.traceFiles) : null;
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
  const ownWrites: OwnWrites | null = traces ? traceOwnWrites(traces.db, fingerprints) : null;
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
  const activity = await sampleActivity(db, {
    samples: options.samples,
    intervalMs: options.intervalMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
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
  };
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
    tracesRead: traces
      ? { files: options.traceFiles?.length ?? 0, spans: traces.db.length, traces: traces.traces.size }
      : null,
    notes,
  };
}
