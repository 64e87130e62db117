/**
 * `dbopt migrate trace --db mysql://… --sandbox` as a library function: on a throw-away MySQL/MariaDB database,
 * run each migration statement for real, and for each ALTER ask the server which online algorithm it accepts:
 * ALGORITHM=INSTANT, then (MariaDB) NOCOPY, then INPLACE, each with LOCK=NONE. A refused attempt stops before it
 * does anything (the server checks the clauses first) and its error text is kept; the first accepted one runs the
 * change and is timed on the sandbox's data. When none is accepted the statement runs as written, and its time
 * is what the blocking form costs. The lint findings are set against what the server said.
 */
import { MysqlSandbox } from "../connectors/mysql/mysql-sandbox.js";
import type { MysqlTarget } from "../connectors/mysql/mysql-target.js";
import { migrationSet } from "../facts/migration/migration-files.js";
import { lineAndColumn, splitStatements, type Token } from "../facts/migration-mysql/mysql-ddl-tokens.js";
import {
  type MysqlMigrationStatement,
  type MysqlSourceFile,
  readMysqlMigrationSet,
  readMysqlSourceFile,
} from "../facts/migration-mysql/mysql-migration-set.js";
import { mysqlSchemaFromDatabase, serverVersionOf } from "../facts/migration-mysql/mysql-starting-schema.js";
import type { OnlineAlgorithm, ServerVersion } from "../facts/migration-mysql/online-ddl-support.js";
import type { Finding } from "../findings/finding.js";
import { withOnlineClauses } from "../rules/migration-mysql/online-ddl-fix.js";
import { MYSQL_MIGRATION_RULES } from "../rules/registry.js";
import { runRules } from "../rules/run-rules.js";
import { InputError } from "../util/input-error.js";
import { confinementRefusal, type SandboxScope } from "./mysql-sandbox-confinement.js";

export interface MysqlTraceOptions {
  /** Statements (CREATE TABLE …) run on the sandbox before the migrations. */
  schemaFile?: string;
  from?: string;
  /** Time limit of each migration statement on the sandbox. */
  statementTimeoutMs?: number;
  onProgress?: (message: string) => void;
}

export interface OnlineAttempt {
  algorithm: OnlineAlgorithm;
  sql: string;
  accepted: boolean;
  /** The server's own words when it refused ("ALGORITHM=INSTANT is not supported for this operation. Try …"). */
  error: string | null;
}

export interface MysqlTracedStatement {
  file: string;
  line: number;
  sql: string;
  /** Online attempts for an ALTER, in the order tried; empty for other statements. */
  attempts: OnlineAttempt[];
  /** The first algorithm the server accepted with LOCK=NONE (INSTANT with no LOCK on MySQL); null when none. */
  accepted: OnlineAlgorithm | null;
  /** No online form was accepted: the statement ran as written. */
  ranAsWritten: boolean;
  durationMs: number;
  /** The statement failed as written too (the trace stops there). */
  error: string | null;
  /** The statement as written was refused for its own ALGORITHM/LOCK clauses (ERROR 1845/1846). */
  refusedAsWritten: boolean;
  /** What lint predicted from the documentation tables: the best algorithm, and whether LOCK=NONE goes with it. */
  predicted: OnlineAlgorithm | null;
  predictedOnline: boolean | null;
}

export interface MysqlMigrationTraceReport {
  kind: "mysql-migration-trace";
  /** "MariaDB 10.11.19". */
  server: string;
  database: string;
  files: string[];
  statements: MysqlTracedStatement[];
  findings: Finding[];
}

export async function traceMysqlMigrations(
  paths: string[],
  target: MysqlTarget,
  options: MysqlTraceOptions = {},
): Promise<MysqlMigrationTraceReport> {
  const progress = options.onProgress ?? (() => {});
  const { all, first } = migrationSet(paths, options.from);
  const sandbox = await MysqlSandbox.open(target);
  try {
    // Each file is read and split once, for the target server: the statements checked are the ones that run.
    const caps = await sandbox.capabilities();
    const server = serverVersionOf(caps);
    const schemaSource = options.schemaFile ? readMysqlSourceFile(options.schemaFile, server) : null;
    const sources = all.map((file) => readMysqlSourceFile(file, server));
    // Every statement that will run is checked before the first one does: none may leave the sandbox database.
    const scope = await sandboxScope(sandbox);
    await refuseEscapingObjects(sandbox, scope);
    if (schemaSource) refuseEscapes(schemaSource, scope, "schema");
    for (const source of sources) refuseEscapes(source, scope, "migration");
    if (schemaSource) {
      progress("loading the starting schema");
      const { file, text, statements } = schemaSource;
      for (const s of statements) {
        const line = lineAndColumn(text, s.start).line;
        await sandbox.execute(text.slice(s.start, s.end)).catch((error) => {
          throw definerRefusal(error, s.tokens, file, line) ?? error;
        });
        await stillInSandbox(sandbox, file, line);
      }
    }
    const schema = await mysqlSchemaFromDatabase({
      query: (text, params) => sandbox.query(text, params),
      capabilities: () => sandbox.capabilities(),
      target: { database: sandbox.database },
    });
    const facts = readMysqlMigrationSet(
      all.map((file, i) => ({ file, applied: i < first, source: sources[i] })),
      schema.server,
      schema,
      { host: target.host, port: target.port, user: target.user },
    );
    const findings = runRules(MYSQL_MIGRATION_RULES, facts, {}, "mysql");
    progress(`running ${facts.statements.length} statements`);
    const traced: MysqlTracedStatement[] = [];
    for (const st of facts.statements) {
      const t = await traceOne(sandbox, st, schema.server, options.statementTimeoutMs ?? 600_000);
      await stillInSandbox(sandbox, st.file, st.line);
      if (!st.applied) traced.push(t);
      if (t.error) break;
    }
    return {
      kind: "mysql-migration-trace",
      server: `${caps.flavour === "mysql" ? "MySQL" : "MariaDB"} ${caps.version}`,
      database: sandbox.database,
      files: all.slice(first),
      statements: traced,
      findings: findings.map((f) => withVerdict(f, traced)),
    };
  } finally {
    await sandbox.close();
  }
}

async function sandboxScope(sandbox: MysqlSandbox): Promise<SandboxScope> {
  const databases = await sandbox.query<{ name: string }>(
    "SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA",
  );
  const [setting] = await sandbox.query<{ lctn: number }>("SELECT @@lower_case_table_names AS lctn");
  return {
    sandbox: sandbox.database,
    databases: databases.map((d) => String(d.name)),
    namesIgnoreCase: Number(setting?.lctn ?? 0) !== 0,
  };
}

/** One line for the first statement of the file that could act outside the sandbox database. */
function refuseEscapes(
  { file, text, statements }: MysqlSourceFile,
  scope: SandboxScope,
  source: "schema" | "migration",
): void {
  for (const s of statements) {
    const refusal = confinementRefusal(s.tokens, scope, source);
    if (refusal)
      throw new InputError(
        `${file}:${lineAndColumn(text, s.start).line}: ${refusal.reason}; the trace runs only on the sandbox ${scope.sandbox}, nothing was run`,
        refusal.hint,
      );
  }
}

/**
 * A copy of production keeps production's triggers, views and routines, and one naming production's database
 * (`INSERT INTO shop.audit` in a trigger) would write there when a traced statement fires or calls it.
 */
async function refuseEscapingObjects(sandbox: MysqlSandbox, scope: SandboxScope): Promise<void> {
  const objects = await sandbox.query<{ kind: string; name: string; body: string | null }>(
    `SELECT 'trigger' AS kind, TRIGGER_NAME AS name, ACTION_STATEMENT AS body FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?
     UNION ALL SELECT 'view', TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?
     UNION ALL SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME, ROUTINE_DEFINITION FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?`,
    [scope.sandbox, scope.sandbox, scope.sandbox],
  );
  for (const o of objects) {
    for (const s of splitStatements(o.body ?? "")) {
      const refusal = confinementRefusal(s.tokens, scope, "migration");
      if (refusal)
        throw new InputError(
          `the sandbox's ${o.kind} ${o.name} reaches outside it (${refusal.reason}); a traced statement could run it, nothing was run`,
          `drop the ${o.kind} from the sandbox copy, or trace on a copy without it`,
        );
    }
  }
}

/**
 * mysqldump writes each trigger, routine, event and view with its DEFINER (`root`@`localhost` on production), and
 * only an account with SUPER or SET USER (MySQL: SET_ANY_DEFINER, SET_USER_ID before 8.2) may create an object
 * for another: ERROR 1227. Said with the dump's line and the two ways out, not as a missing read privilege.
 */
function definerRefusal(error: unknown, tokens: Token[], file: string, line: number): InputError | null {
  const errno = (error as { cause?: { errno?: number } }).cause?.errno;
  const at = tokens.findIndex(
    (t, i) => t.kind === "word" && t.value === "DEFINER" && tokens[i + 1]?.text === "=",
  );
  if (errno !== 1227 || at < 0) return null;
  const definer = tokens
    .slice(at + 2, at + 5)
    .map((t) => t.text)
    .join("");
  return new InputError(
    `${file}:${line}: the dump gives the object DEFINER=${definer}, another account, which this user may not name (ERROR 1227); the trace stopped there`,
    "trace as an account with SUPER or SET USER (MySQL: SET_ANY_DEFINER), or remove the definers from the dump: sed -E 's/DEFINER=`[^`]*`@`[^`]*`//g' dump.sql > schema.sql",
  );
}

/**
 * The second guard, should a statement the check let through change the session's database: the trace stops
 * before it runs anything more there.
 */
async function stillInSandbox(sandbox: MysqlSandbox, file: string, line: number): Promise<void> {
  const [row] = await sandbox.query<{ db: string | null }>("SELECT DATABASE() AS db");
  if (row?.db !== sandbox.database)
    throw new InputError(
      `${file}:${line} changed the session's database to ${row?.db ?? "none"}; the trace stopped there`,
      `trace only statements that stay in the sandbox ${sandbox.database}`,
    );
}

async function traceOne(
  sandbox: MysqlSandbox,
  st: MysqlMigrationStatement,
  server: ServerVersion,
  timeLimitMs: number,
): Promise<MysqlTracedStatement> {
  const out: MysqlTracedStatement = {
    file: st.file,
    line: st.line,
    sql: st.text,
    attempts: [],
    accepted: null,
    ranAsWritten: false,
    durationMs: 0,
    error: null,
    refusedAsWritten: false,
    // Nothing is predicted for a statement with an operation the tables do not cover.
    predicted: st.plan && !st.plan.unknown.length ? st.plan.best : null,
    predictedOnline:
      st.plan && !st.plan.unknown.length ? st.plan.best !== "COPY" && st.plan.lock === "NONE" : null,
  };
  const run = async (text: string) => {
    const started = performance.now();
    await sandbox.execute(text, { timeLimitMs });
    return performance.now() - started;
  };
  // RENAME TABLE as an ALTER takes no ALGORITHM of its own on MariaDB (metadata only), and a partition clause or
  // DISCARD/IMPORT TABLESPACE cannot be followed by one (it ends the statement): they run as written.
  const online =
    st.ddl.kind === "alter-table" &&
    !st.ddl.operations.every((op) => op.kind === "rename-table") &&
    !st.ddl.operations.some((op) => op.kind === "partition" || op.kind === "tablespace");
  if (online) {
    const tries: OnlineAlgorithm[] =
      server.flavour === "mariadb" ? ["INSTANT", "NOCOPY", "INPLACE"] : ["INSTANT", "INPLACE"];
    for (const algorithm of tries) {
      const sql = withOnlineClauses(st, algorithm, server);
      try {
        out.durationMs = await run(sql);
        out.attempts.push({ algorithm, sql, accepted: true, error: null });
        out.accepted = algorithm;
        return out;
      } catch (error) {
        const refusal = serverRefusal(error);
        if (!refusal) {
          out.attempts.push({ algorithm, sql, accepted: false, error: serverText(error) });
          out.error = serverText(error);
          return out;
        }
        out.attempts.push({ algorithm, sql, accepted: false, error: refusal });
      }
    }
    out.ranAsWritten = true;
  }
  try {
    out.durationMs = await run(st.text);
  } catch (error) {
    out.error = serverText(error);
    // MariaDB's partition clauses take no ALGORITHM/LOCK and it has no DISCARD/IMPORT PARTITION: both are a
    // syntax error (1064), the refusal lint predicted when it marked the statement refused.
    const errno = (error as { cause?: { errno?: number } }).cause?.errno;
    out.refusedAsWritten =
      serverRefusal(error) !== null || (errno === 1064 && (st.plan?.refused ?? null) !== null);
  }
  return out;
}

/**
 * ER_ALTER_OPERATION_NOT_SUPPORTED (1845), _REASON (1846) and, on MariaDB, _REASON_PARTITION (1848: partition
 * operations take no ALGORITHM/LOCK): the clause was refused before anything was done.
 */
function serverRefusal(error: unknown): string | null {
  const cause = (error as { cause?: { errno?: number; message?: string } }).cause;
  return cause?.errno === 1845 || cause?.errno === 1846 || cause?.errno === 1848
    ? String(cause.message)
    : null;
}

function serverText(error: unknown): string {
  const cause = (error as { cause?: { message?: string } }).cause;
  return String(cause?.message ?? (error instanceof Error ? error.message : error));
}

/**
 * A lint finding against the traced statement at its place. Confirmed when the server accepted the algorithm the
 * tables predicted with LOCK=NONE, or refused every online form where they predicted a blocking one; a finding
 * that the statement's own clauses are refused is confirmed when the server refused the statement as written.
 */
function withVerdict(f: Finding, traced: MysqlTracedStatement[]): Finding {
  const t = traced.find((x) => x.file === f.location?.file && x.line === f.location?.line);
  if (t && f.ruleId === "migration-mysql/refused-algorithm")
    return {
      ...f,
      evidence: {
        ...f.evidence,
        trace: t.refusedAsWritten ? "confirmed" : "contradicted",
        tracedError: t.error,
      },
    };
  if (t && !t.attempts.length && !t.error)
    return {
      ...f,
      evidence: { ...f.evidence, trace: "ran as written", tracedMs: Math.round(t.durationMs * 10) / 10 },
    };
  if (!t?.attempts.length || t.error)
    return { ...f, evidence: { ...f.evidence, trace: t?.error ? "failed" : "not traced" } };
  const agrees = t.predictedOnline ? t.accepted === t.predicted : t.accepted === null;
  return {
    ...f,
    evidence: {
      ...f.evidence,
      trace: agrees ? "confirmed" : "contradicted",
      tracedAlgorithm: t.accepted ?? "none online",
      tracedMs: Math.round(t.durationMs * 10) / 10,
    },
  };
}
