import type { AdviceReport } from "../advisors/index/advice-report.js";
import type { WorkloadStatement } from "../advisors/index/workload-query.js";
import { adviseMysqlIndexes } from "../advisors/mysql/advise-mysql-indexes.js";
import { MysqlWhatIf } from "../advisors/mysql/mysql-what-if.js";
import { parseMysqlWorkloadFile } from "../advisors/mysql/mysql-workload-file.js";
import { copySchemaAndSample } from "../advisors/mysql/scratch-sample.js";
import type { MysqlConnector } from "../connectors/mysql/mysql-connector.js";
import { MysqlSandbox } from "../connectors/mysql/mysql-sandbox.js";
import type { MysqlTarget } from "../connectors/mysql/mysql-target.js";
import { collectMysqlFacts, readForeignKeys } from "../facts/collect-mysql/collect-mysql-facts.js";
import { readStatementSamples } from "../facts/collect-mysql/statement-samples.js";
import { InputError } from "../util/input-error.js";
import { readTextFile } from "../util/read-input.js";

export interface MysqlAdviseOptions {
  /** Statements and weights (--workload FILE); else the top digests with a sample text. */
  workload?: WorkloadStatement[];
  /** --workload FILE: read and parsed here when `workload` is not given. */
  workloadFile?: string;
  /**
   * Where candidates are built: "self" (--sandbox: the --db database is a copy), another database (--sandbox URL),
   * or null with samplePercent (a scratch database made from the live schema and a row sample).
   */
  sandbox: "self" | MysqlTarget | null;
  /** --sample N%: the scratch copy's share of each table's rows. */
  samplePercent: number | null;
  minImprovement: number;
  maxIndexes: number | null;
  budgetBytes: number | null;
  tables: string[];
  exclude: string[];
  /** Digests read when no workload is given. */
  top?: number;
  /** Executions per statement for measured times. */
  runs?: number;
  /** Limit for each index build and data copy on the sandbox. */
  ddlTimeLimitMs?: number;
  onProgress?: (message: string) => void;
}

/**
 * `dbopt advise --db mysql://...`: the workload (a file, or the digests' sample texts), evaluated on a sandbox
 * with real indexes switched on and off (MariaDB's IGNORED, MySQL's INVISIBLE), as the same AdviceReport as
 * PostgreSQL's, with ALTER TABLE ... ADD INDEX ..., ALGORITHM=INPLACE, LOCK=NONE. The live database is only read.
 */
export async function adviseMysqlDatabase(
  db: MysqlConnector,
  options: MysqlAdviseOptions,
): Promise<AdviceReport> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => {});
  if (options.sandbox === null && options.samplePercent === null)
    throw new InputError(
      "MySQL and MariaDB have no hypothetical indexes: advise builds its candidates for real on a sandbox",
      "add --sandbox (the --db database is a copy), --sandbox mysql://... (a copy elsewhere), or --sample 5% (a scratch copy dbopt makes on the same server and drops)",
    );
  if (options.sandbox !== null && options.samplePercent !== null)
    throw new InputError("--sample makes its own sandbox; --sandbox names one", "give one of them");
  // The file is read before anything is asked of the server, so a missing or broken file is the first error.
  const fromFile =
    options.workload ??
    (options.workloadFile !== undefined
      ? parseMysqlWorkloadFile(await readTextFile(options.workloadFile), options.workloadFile)
      : undefined);
  const caps = await db.capabilities();
  if (!caps.invisibleIndexes)
    throw new InputError(
      `${caps.flavour === "mariadb" ? "MariaDB" : "MySQL"} ${caps.version} cannot switch an index off without dropping it`,
      "advise needs MariaDB 10.6+ (IGNORED indexes) or MySQL 8.0+ (INVISIBLE indexes)",
    );
  const notes: string[] = [];
  const workload = fromFile ?? (await digestWorkload(db, options.top ?? 20, notes));
  const timeouts = {
    statementTimeoutMs: db.options.statementTimeoutMs,
    lockTimeoutMs: db.options.lockTimeoutMs,
  };
  const ddlTimeLimitMs = options.ddlTimeLimitMs ?? 30 * 60_000;
  let sandbox: MysqlSandbox;
  if (options.samplePercent !== null) {
    progress("making a scratch copy of the schema with a sample of the rows");
    sandbox = await MysqlSandbox.createScratch(db.target, timeouts);
  } else if (options.sandbox === "self") sandbox = await MysqlSandbox.open(db.target, timeouts);
  else sandbox = await MysqlSandbox.open(options.sandbox as MysqlTarget, timeouts);
  const whatIf = new MysqlWhatIf(sandbox, ddlTimeLimitMs);
  try {
    if (options.samplePercent !== null) {
      const copy = await copySchemaAndSample(
        sandbox,
        db.target.database,
        options.samplePercent,
        ddlTimeLimitMs,
        (t) => progress(`copying ${t}`),
      );
      notes.push(
        `evaluated on a scratch copy with ${options.samplePercent}% of the rows (${copy.tables.map((t) => `${t.table}: ${t.rows.toLocaleString("en-US")}`).join(", ")}), dropped afterwards: costs and times are the sample's, and a plan on the full table may differ`,
      );
    }
    const advice = await adviseMysqlIndexes(whatIf, workload, {
      minImprovement: options.minImprovement,
      maxIndexes: options.maxIndexes,
      budgetBytes: options.budgetBytes,
      tables: options.tables,
      exclude: options.exclude,
      runs: options.runs ?? 3,
      // Both ends of each key: the child's columns and the referenced table's.
      foreignKeys: (await readForeignKeys(db, db.target.database)).flatMap((fk) => [
        { table: fk.table, columns: fk.columns },
        ...(fk.refSchema === fk.schema ? [{ table: fk.refTable, columns: fk.refColumns }] : []),
      ]),
      onProgress: progress,
    });
    const improvement =
      advice.costBefore > 0 ? (advice.costBefore - advice.costAfter) / advice.costBefore : 0;
    return {
      kind: "advice",
      target: db.target.display,
      whatIf: "sandbox",
      // The sandbox's database name is not the live one: the DDL names the table alone, run in the --db database.
      recommendations: advice.recommendations.map((r) => ({ ...r, schema: db.target.database })),
      drops: advice.drops,
      unmeasured: advice.unmeasured,
      workload: {
        statements: workload.length,
        costBefore: advice.costBefore,
        costAfter: advice.costAfter,
        improvement,
        planning: { bound: 0, generic: 0, literal: workload.length - advice.unplanned.length },
      },
      candidates: advice.candidates,
      selection: {
        strategy: "greedy",
        pool: advice.candidates,
        netValueMs: advice.costBefore - advice.costAfter,
      },
      whatIfCalls: whatIf.calls,
      whatIfCacheHits: whatIf.cacheHits,
      elapsedMs: Date.now() - started,
      notes: [...notes, ...advice.notes],
      ...(advice.unplanned.length ? { unplanned: advice.unplanned } : {}),
      applied: [],
    };
  } finally {
    const problems = sandbox.scratch ? [] : await whatIf.cleanUp().catch((e: unknown) => [String(e)]);
    await sandbox.close();
    if (problems.length)
      progress(
        `could not undo everything on the sandbox (${problems.join("; ")}): drop the dbopt indexes by hand`,
      );
  }
}

/** The top digests by time that have a sample text, each weighted by its total milliseconds. */
async function digestWorkload(
  db: MysqlConnector,
  top: number,
  notes: string[],
): Promise<WorkloadStatement[]> {
  const facts = await collectMysqlFacts(db);
  notes.push(...facts.notes.filter((n) => /performance_schema/.test(n)));
  const digests = (facts.digests ?? []).slice(0, top);
  const samples = await readStatementSamples(
    db,
    await db.capabilities(),
    digests.map((d) => d.digest),
  );
  notes.push(...samples.notes);
  const workload = digests.flatMap((d): WorkloadStatement[] => {
    const text = samples.byDigest.get(d.digest);
    return text ? [{ id: d.digest, sql: text, weight: d.totalMs, calls: d.calls, weightIs: "ms" }] : [];
  });
  if (workload.length === 0)
    throw new InputError(
      "no workload to advise on: performance_schema gave no statement with a sample text for this database",
      "give the statements with --workload FILE (-- weight: N before a statement for its calls), or turn on the statement history (see dbopt analyze's note)",
    );
  return workload;
}
