/**
 * `dbopt bench`: replay a workload concurrently, like pgbench, with realistic parameters, and report throughput and
 * latency percentiles per statement and overall; or compare two variants (setup/teardown SQL on a sandbox, such
 * as before and after an index, or two rewrites of one statement) in interleaved rounds, with a significance test.
 *
 * Safety: statements that write are replayed only on a database marked --sandbox; any other database takes
 * SELECT-only workloads, and only when the user says --read-only-ok; its sessions are read-only.
 */

import { parseWorkloadFile } from "../advisors/index/workload-file.js";
import type { WorkloadStatement } from "../advisors/index/workload-query.js";
import type { LatencySummary } from "../advisors/load/latency-histogram.js";
import { LatencyHistogram } from "../advisors/load/latency-histogram.js";
import type {
  ClientsResult,
  LoadProgress,
  LoadStatementSpec,
  Protocol,
} from "../advisors/load/load-driver.js";
import { mergeResults, runLoad } from "../advisors/load/load-run.js";
import { writeReasons } from "../advisors/load/replay-safety.js";
import { compareRounds, type Verdict } from "../advisors/load/variant-comparison.js";
import { drawParameters, inlineSets, type ParameterSource } from "../advisors/parameters/parameter-draws.js";
import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { collectWorkload } from "../facts/collect/collect-workload.js";
import { repairNormalizedQuery } from "../facts/sql/normalized-statement.js";
import { oneLine } from "../util/format.js";
import { InputError } from "../util/input-error.js";
import { readTextFile } from "../util/read-input.js";
import { loadSqlParser, parseSql } from "../util/sql-parser.js";

export interface VariantSetup {
  /** SQL run before each of the variant's rounds (CREATE INDEX …), on the sandbox. */
  setup?: string;
  /** SQL run after each of its rounds (DROP INDEX …). */
  teardown?: string;
  /** The variant's own statement (a rewrite), in place of the workload. */
  sql?: string;
}

export interface BenchOptions {
  /** A .sql file of the workload (`-- weight: N` / `-- calls: N` comments weigh statements). */
  workloadFile?: string;
  /** The workload from pg_stat_statements, each statement weighted by its calls: its `top` statements by time. */
  fromStats?: boolean;
  top?: number;
  /** Two variants to compare; absent: one run of the workload. */
  variants?: { a: VariantSetup; b: VariantSetup };
  /** Rounds of each variant (A/B only). */
  rounds?: number;
  clients: number;
  /** Worker threads the clients are spread over. */
  threads: number;
  protocol: Protocol;
  /** Measured time of a run (of each round when comparing); null: until `transactions`. */
  durationMs: number | null;
  transactions: number | null;
  warmupMs: number;
  /** The database is a throw-away copy: writes are replayed, sessions may write, setup SQL runs. */
  sandbox: boolean;
  /** The user accepts a read-only load on a database that is not a sandbox. */
  readOnlyOk: boolean;
  statementTimeoutMs: number;
  /** Parameter sets drawn per statement. */
  parameterSets?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (progress: BenchProgress) => void;
}

export interface BenchProgress extends LoadProgress {
  /** "A 2/3" while comparing; null for a single run. */
  round: string | null;
}

export interface BenchStatement {
  id: string;
  /** Its text, on one line. */
  sql: string;
  weight: number;
  writes: string | null;
  parameters: ParameterSource[];
}

export interface StatementFigures extends LatencySummary {
  id: string;
  errors: number;
  firstError: string | null;
  /** Calls per second of this statement. */
  throughput: number;
}

export interface RunFigures {
  elapsedMs: number;
  /** Transactions (calls) per second, all statements. */
  throughput: number;
  overall: LatencySummary & { errors: number };
  statements: StatementFigures[];
  lostClients: string[];
  /**
   * dbopt's CPU time per measured call, µs: its whole process (every thread, user + system) over the measured
   * time. On a busy machine the driver's CPU is taken from the server's, so this is its overhead to compare.
   */
  driverCpuUsPerCall: number;
}

export interface VariantFigures {
  name: "A" | "B";
  setup: VariantSetup;
  /** Each round's figures, in the order they ran. */
  rounds: RunFigures[];
  /** All rounds together. */
  total: RunFigures;
}

export interface StatementVerdict extends Verdict {
  id: string;
  aMeanMs: number;
  bMeanMs: number;
  /** Over all rounds; the verdict compares the rounds' medians. */
  aMedianMs: number;
  bMedianMs: number;
}

export interface BenchComparison {
  rounds: number;
  /** The order the rounds ran in, e.g. ["A", "B", "B", "A", …]. */
  order: Array<"A" | "B">;
  a: VariantFigures;
  b: VariantFigures;
  /** On throughput per round. */
  overall: Verdict;
  /**
   * On each statement's median latency per round (statements both variants ran): a round's mean follows its few
   * slowest calls, which on a busy machine are the machine's stalls more than the statement.
   */
  statements: StatementVerdict[];
}

export interface BenchReport {
  kind: "bench";
  target: string;
  settings: {
    clients: number;
    threads: number;
    protocol: Protocol;
    durationMs: number | null;
    transactions: number | null;
    warmupMs: number;
    sandbox: boolean;
    source: string;
    parameterSets: number;
    seed: number;
  };
  statements: BenchStatement[];
  /** A single run; null when comparing. */
  run: RunFigures | null;
  comparison: BenchComparison | null;
  notes: string[];
}

export async function benchWorkload(
  openDb: () => Promise<PostgresConnector>,
  options: BenchOptions,
): Promise<BenchReport> {
  refuseConflicts(options);
  await loadSqlParser();
  const db = await openDb();
  try {
    return await benchOn(db, options);
  } finally {
    await db.close();
  }
}

function refuseConflicts(options: BenchOptions): void {
  const variants = options.variants;
  const withSql = variants && (variants.a.sql !== undefined || variants.b.sql !== undefined);
  const sources = [options.workloadFile, options.fromStats].filter(Boolean).length;
  if (sources > 1)
    throw new InputError("--workload and --from-stats both give the workload", "give one of them");
  if (withSql) {
    if (variants.a.sql === undefined || variants.b.sql === undefined)
      throw new InputError(
        "--variant-a-sql and --variant-b-sql go together",
        "give both statements to compare",
      );
    if (sources > 0)
      throw new InputError(
        "--variant-a-sql and --variant-b-sql are the workload: leave out --workload and --from-stats",
        "compare two rewrites with the two options alone, or a workload before and after with --variant-*-setup",
      );
  } else if (sources === 0)
    throw new InputError(
      "no workload given",
      "pass --workload FILE.sql or --from-stats (pg_stat_statements)",
    );
  const setupSql = variants && [variants.a, variants.b].some((v) => v.setup || v.teardown);
  if (setupSql && !options.sandbox)
    throw new InputError(
      "variant setup and teardown SQL change the database",
      "run the comparison on a copy of the database and mark it --sandbox",
    );
  if (variants && (options.rounds ?? 3) < 2)
    throw new InputError("a comparison needs two rounds of each variant at least", "pass --rounds 2 or more");
}

async function readStatements(
  db: PostgresConnector,
  options: BenchOptions,
): Promise<{ source: string; list: WorkloadStatement[] }> {
  if (options.workloadFile)
    return {
      source: options.workloadFile,
      list: parseWorkloadFile(await readTextFile(options.workloadFile), options.workloadFile),
    };
  const caps = await db.capabilities();
  const workload = await collectWorkload(db, caps, options.top ?? 20);
  if (workload.source === "none")
    throw new InputError(
      `--from-stats reads pg_stat_statements: ${workload.problem ?? "it cannot be read"}`,
      "install pg_stat_statements (shared_preload_libraries, CREATE EXTENSION), or give --workload FILE.sql",
    );
  const list = workload.statements
    .filter((s) => s.toplevel && s.calls > 0)
    .map((s) => ({
      id: `queryid ${s.queryId}`,
      sql: repairNormalizedQuery(s.query),
      weight: s.calls,
      calls: s.calls,
      weightIs: "calls" as const,
    }));
  if (list.length === 0)
    throw new InputError(
      "pg_stat_statements holds no statements for this database",
      "run the application's workload first, or give --workload FILE.sql",
    );
  return { source: "pg_stat_statements", list };
}

interface Prepared {
  statement: BenchStatement;
  spec: LoadStatementSpec;
}

/** Draw each statement's parameters; refuse the statement whose $n has nothing to be drawn from. */
async function prepare(
  db: PostgresConnector,
  list: WorkloadStatement[],
  writes: Map<string, string | null>,
  sets: number,
  seed: number,
  protocol: Protocol,
): Promise<Prepared[]> {
  const out: Prepared[] = [];
  for (const s of list) {
    const draws = await drawParameters(db, s.sql, { sets, seed });
    const missing = draws.unresolved[0];
    if (missing)
      throw new InputError(
        `cannot draw a value for $${missing.n} of ${s.id} (${oneLine(s.sql, 80)}): ${missing.reason}`,
        "write that value into the statement, or leave the statement out of the workload",
      );
    out.push({
      statement: {
        id: s.id,
        sql: oneLine(s.sql, 200),
        weight: s.weight,
        writes: writes.get(s.id) ?? null,
        parameters: draws.sources,
      },
      spec: {
        id: s.id,
        sql: s.sql,
        weight: s.weight,
        values: protocol === "prepared" ? draws.sets.map((set) => set.values) : [],
        // Only the simple protocol sends the literals in the text.
        inlined: protocol === "simple" && draws.parameters ? inlineSets(s.sql, draws.sets) : [s.sql],
      },
    });
  }
  return out;
}

function checkVariantParses(sql: string, option: string): void {
  try {
    parseSql(sql);
  } catch (error) {
    throw new InputError(
      `${option} does not parse: ${error instanceof Error ? error.message : String(error)}`,
      `fix the statement given to ${option}`,
    );
  }
}

async function benchOn(db: PostgresConnector, options: BenchOptions): Promise<BenchReport> {
  const variants = options.variants;
  const seed = options.seed ?? 1;
  const parameterSets = options.parameterSets ?? 1000;
  const bySql = variants?.a.sql !== undefined;
  const lists: WorkloadStatement[][] = [];
  let source: string;
  if (bySql && variants) {
    source = "--variant-a-sql / --variant-b-sql";
    // Parsed as a workload file is, so a typo is a syntax error in one line rather than "B writes".
    checkVariantParses(variants.a.sql as string, "--variant-a-sql");
    checkVariantParses(variants.b.sql as string, "--variant-b-sql");
    lists.push(
      [{ id: "A", sql: variants.a.sql as string, weight: 1, calls: 1 }],
      [{ id: "B", sql: variants.b.sql as string, weight: 1, calls: 1 }],
    );
  } else {
    const read = await readStatements(db, options);
    source = read.source;
    lists.push(read.list);
  }
  const notes: string[] = [];
  let writes = await writeReasons(db, lists.flat());
  if (options.fromStats) {
    // pg_stat_statements holds what the application ran, BEGIN and SET included: what cannot be replayed here is
    // left out with a note, where a --workload file the user wrote is refused.
    const kept = (lists[0] ?? []).filter((s) => {
      const why = writes.get(s.id);
      const skip = why && (why.startsWith("it is not a query") || !options.sandbox);
      if (skip)
        notes.push(
          `left out ${s.id} (${oneLine(s.sql, 60)}): ${why}${options.sandbox ? "" : "; replay it on a --sandbox"}`,
        );
      return !skip;
    });
    const drawable: WorkloadStatement[] = [];
    for (const s of kept) {
      const draws = await drawParameters(db, s.sql, { sets: 1, seed });
      const missing = draws.unresolved[0];
      if (missing)
        notes.push(`left out ${s.id} (${oneLine(s.sql, 60)}): no value for $${missing.n}: ${missing.reason}`);
      else drawable.push(s);
    }
    if (drawable.length === 0)
      throw new InputError(
        `none of pg_stat_statements' statements can be replayed here: ${notes[0] ?? ""}`,
        "give the workload with --workload FILE.sql, or run on a copy marked --sandbox",
      );
    lists[0] = drawable;
    writes = await writeReasons(db, drawable);
  }
  const all = lists.flat();
  const writer = all.find((s) => writes.get(s.id));
  if (writer && !options.sandbox)
    throw new InputError(
      `${writer.id} writes (${writes.get(writer.id)}): dbopt bench replays writes only on a database marked --sandbox`,
      "run it on a copy of the database with --sandbox, or leave the writes out of the workload",
    );
  if (!options.sandbox && !options.readOnlyOk)
    throw new InputError(
      "dbopt bench loads the database with many concurrent clients",
      "pass --read-only-ok to replay this SELECT-only workload on it, or run it on a copy marked --sandbox",
    );
  const prepared = await Promise.all(
    lists.map((list) => prepare(db, list, writes, parameterSets, seed, options.protocol)),
  );
  const target = db.target;
  const spec = (statements: Prepared[]) => ({
    connection: target.config,
    statements: statements.map((p) => p.spec),
    clients: options.clients,
    firstClient: 0,
    protocol: options.protocol,
    durationMs: options.durationMs,
    transactions: options.transactions,
    warmupMs: options.warmupMs,
    readOnly: !options.sandbox,
    statementTimeoutMs: options.statementTimeoutMs,
    seed,
  });
  const run = async (statements: Prepared[], round: string | null): Promise<ClientsResult> => {
    const result = await runLoad(spec(statements), {
      threads: options.threads,
      ...(options.signal ? { signal: options.signal } : {}),
      // Only when shown: the timer that reads the threads' progress is the run's only timer.
      ...(options.onProgress
        ? { onProgress: (p: LoadProgress) => options.onProgress?.({ ...p, round }) }
        : {}),
    });
    if (
      result.threads < Math.min(options.threads, options.clients) &&
      !notes.some((n) => n.startsWith("ran in"))
    )
      notes.push("ran in one thread: the worker threads need the compiled dbopt (npm run build)");
    return result;
  };
  const report: BenchReport = {
    kind: "bench",
    target: target.display,
    settings: {
      clients: options.clients,
      threads: options.threads,
      protocol: options.protocol,
      durationMs: options.durationMs,
      transactions: options.transactions,
      warmupMs: options.warmupMs,
      sandbox: options.sandbox,
      source,
      parameterSets,
      seed,
    },
    statements: prepared.flat().map((p) => p.statement),
    run: null,
    comparison: null,
    notes,
  };
  if (!variants) {
    report.run = figuresOf(await run(prepared[0] as Prepared[], null));
    refuseNothingMeasured(report.run);
    return report;
  }
  const rounds = options.rounds ?? 3;
  const forA = prepared[0] as Prepared[];
  const forB = (bySql ? prepared[1] : prepared[0]) as Prepared[];
  const order: Array<"A" | "B"> = [];
  // A B, B A, A B …: a load that drifts over the run falls on both variants alike.
  for (let r = 0; r < rounds; r++)
    order.push(...((r % 2 === 0 ? ["A", "B"] : ["B", "A"]) as Array<"A" | "B">));
  const done = { A: [] as ClientsResult[], B: [] as ClientsResult[] };
  for (const name of order) {
    if (options.signal?.aborted) break;
    const variant = name === "A" ? variants.a : variants.b;
    if (variant.setup) await runSql(db, variant.setup, `the setup of variant ${name}`);
    try {
      const result = await run(name === "A" ? forA : forB, `${name} ${done[name].length + 1}/${rounds}`);
      refuseNothingMeasured(figuresOf(result));
      done[name].push(result);
    } finally {
      if (variant.teardown) await runSql(db, variant.teardown, `the teardown of variant ${name}`);
    }
  }
  report.comparison = compare(order, variants, done, bySql);
  return report;
}

/** Every call failed: there are no figures to show, only the reason. */
function refuseNothingMeasured(run: RunFigures): void {
  if (run.overall.calls > 0) return;
  const failed = run.statements.find((s) => s.firstError);
  const lost = run.lostClients[0];
  throw new InputError(
    failed
      ? `every call failed; ${failed.id}: ${failed.firstError}`
      : `no call completed${lost ? `: ${lost}` : ""}`,
    "check the statements in psql on this database, or give the run more time (--duration)",
  );
}

/** Setup or teardown SQL of a variant, on the sandbox (the only place refuseConflicts lets it run). */
async function runSql(db: PostgresConnector, text: string, what: string): Promise<void> {
  await db.allowWrites();
  try {
    await db.query(text);
  } catch (error) {
    throw new InputError(
      `${what} failed: ${error instanceof Error ? error.message : String(error)}`,
      "fix the SQL file and try again; the sandbox may hold what ran before the error",
    );
  }
}

function compare(
  order: Array<"A" | "B">,
  variants: { a: VariantSetup; b: VariantSetup },
  raw: { A: ClientsResult[]; B: ClientsResult[] },
  bySql: boolean,
): BenchComparison {
  const done = { A: raw.A.map(figuresOf), B: raw.B.map(figuresOf) };
  const a: VariantFigures = { name: "A", setup: variants.a, rounds: done.A, total: totalOf(raw.A) };
  const b: VariantFigures = { name: "B", setup: variants.b, rounds: done.B, total: totalOf(raw.B) };
  const overall = compareRounds(
    done.A.map((r) => r.throughput),
    done.B.map((r) => r.throughput),
    true,
  );
  // Two rewrites are one statement under two names; a workload's statements pair by id.
  const ids = bySql ? [] : a.total.statements.map((s) => s.id);
  const statements = ids.flatMap((id): StatementVerdict[] => {
    const mediansA = done.A.map((r) => r.statements.find((s) => s.id === id)?.p50Ms ?? 0);
    const mediansB = done.B.map((r) => r.statements.find((s) => s.id === id)?.p50Ms ?? 0);
    if ([...mediansA, ...mediansB].some((m) => m <= 0)) return [];
    return [
      {
        id,
        aMeanMs: a.total.statements.find((s) => s.id === id)?.meanMs ?? 0,
        bMeanMs: b.total.statements.find((s) => s.id === id)?.meanMs ?? 0,
        aMedianMs: a.total.statements.find((s) => s.id === id)?.p50Ms ?? 0,
        bMedianMs: b.total.statements.find((s) => s.id === id)?.p50Ms ?? 0,
        ...compareRounds(mediansA, mediansB, false),
      },
    ];
  });
  return { rounds: done.A.length, order, a, b, overall, statements };
}

function figuresOf(result: ClientsResult): RunFigures {
  const seconds = Math.max(result.elapsedMs, 1) / 1000;
  const all = new LatencyHistogram();
  let errors = 0;
  const statements = result.statements.map((s) => {
    const h = LatencyHistogram.from(s.histogram);
    all.merge(h);
    errors += s.errors;
    return {
      id: s.id,
      ...h.summary(),
      errors: s.errors,
      firstError: s.firstError,
      throughput: h.count / seconds,
    };
  });
  return {
    elapsedMs: result.elapsedMs,
    throughput: all.count / seconds,
    overall: { ...all.summary(), errors },
    statements,
    lostClients: result.lostClients,
    driverCpuUsPerCall: (1000 * result.cpuMs) / Math.max(1, all.count + errors),
  };
}

/** Several rounds of the same statements as one: histograms merged, measured time added. */
function totalOf(rounds: ClientsResult[]): RunFigures {
  return figuresOf({
    ...mergeResults(rounds),
    elapsedMs: rounds.reduce((a, r) => a + r.elapsedMs, 0),
    cpuMs: rounds.reduce((a, r) => a + r.cpuMs, 0),
  });
}
