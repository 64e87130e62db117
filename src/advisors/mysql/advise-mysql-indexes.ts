/**
 * Index advice on a MySQL/MariaDB sandbox: candidates from every statement's plan, each built for real once and
 * switched on and off (IGNORED / INVISIBLE) while the optimizer costs the workload; a greedy choice of the set
 * that lowers the workload's weighted cost most; measured times before and after; then each existing index of the
 * workload's tables switched off in turn, to see whether the workload would miss it.
 */
import { DbError } from "../../connectors/db-error.js";
import { mysqlStatementKind } from "../../facts/collect-mysql/mysql-statement-kind.js";
import { addIndexSql } from "../../rules/plan/mysql-plan-facts.js";
import { checkMysqlSql } from "../../util/mysql-sql-check.js";
import { mysqlIdent, sql } from "../../util/sql-text.js";
import type {
  DropRecommendation,
  IndexRecommendation,
  QueryEffect,
  UnmeasuredCandidate,
  UnplannedStatement,
} from "../index/advice-report.js";
import type { WorkloadStatement } from "../index/workload-query.js";
import { candidatesFromPlan, planTables } from "./mysql-candidates.js";
import type { MysqlIndexKey, MysqlWhatIf } from "./mysql-what-if.js";

export interface MysqlIndexAdviceOptions {
  /** Share (0..1) the workload's cost must fall by for any advice. */
  minImprovement: number;
  maxIndexes: number | null;
  budgetBytes: number | null;
  tables: string[];
  exclude: string[];
  /** Executions per statement for the measured times (median). */
  runs: number;
  /**
   * The live database's foreign keys: InnoDB needs an index leading with each one's columns, on the child and on
   * the referenced table, and refuses to drop the last (ERROR 1553). A sampled or copied sandbox may not have them.
   */
  foreignKeys: readonly ForeignKeyColumns[];
  onProgress?: (message: string) => void;
}

export interface ForeignKeyColumns {
  table: string;
  columns: readonly string[];
}

export interface MysqlIndexAdvice {
  recommendations: IndexRecommendation[];
  drops: DropRecommendation[];
  unmeasured: UnmeasuredCandidate[];
  unplanned: UnplannedStatement[];
  candidates: number;
  costBefore: number;
  costAfter: number;
  notes: string[];
}

interface Costed {
  statement: WorkloadStatement;
  /** Milliseconds the statement accounts for: its weight, or calls × its measured time. */
  weightMs: number;
  baseCost: number;
  tables: Set<string>;
  /** A data change: timed before any candidate existed, to charge the indexes it would have to maintain. */
  writes: boolean;
  baseMs: number | null;
}

interface Candidate extends MysqlIndexKey {
  name: string;
  ddl: string;
}

/** A cost change under this share is the optimizer's noise, not an index's effect. */
const NOISE = 0.01;

export async function adviseMysqlIndexes(
  whatIf: MysqlWhatIf,
  workload: WorkloadStatement[],
  options: MysqlIndexAdviceOptions,
): Promise<MysqlIndexAdvice> {
  const progress = options.onProgress ?? (() => {});
  const notes: string[] = [];
  const unplanned: UnplannedStatement[] = [];
  const unmeasured: UnmeasuredCandidate[] = [];
  const existing = await existingIndexes(whatIf);
  const wanted = (table: string) =>
    (options.tables.length === 0 || options.tables.includes(table)) && !options.exclude.includes(table);

  // 1. Each statement's plan and cost now, its weight in milliseconds, and its candidates.
  progress(`costing ${workload.length} statements`);
  const costed: Costed[] = [];
  const candidates: Candidate[] = [];
  for (const statement of workload) {
    try {
      const { cost, plan } = await whatIf.cost(statement.sql);
      const keys = candidatesFromPlan(plan, statement.sql);
      const tables = new Set(planTables(plan, statement.sql));
      const writes = mysqlStatementKind(statement.sql).writes;
      const oneCallMs =
        statement.weightIs === "ms" && !writes ? null : await whatIf.time(statement.sql, options.runs);
      costed.push({
        statement,
        weightMs: statement.weightIs === "ms" ? statement.weight : statement.calls * (oneCallMs ?? 0),
        baseCost: cost,
        tables,
        writes,
        baseMs: oneCallMs,
      });
      for (const key of keys) {
        if (!wanted(key.table)) continue;
        if (
          served(existing, key) ||
          candidates.some((c) => c.table === key.table && c.columns.join() === key.columns.join())
        )
          continue;
        const ddl = checkMysqlSql(addIndexSql(key.table, key.columns), 1);
        candidates.push({ ...key, name: nameIn(ddl), ddl });
      }
    } catch (error) {
      if (error instanceof DbError && error.isConnectionError) throw error;
      unplanned.push({
        query: statement.sql,
        why: error instanceof Error ? error.message : String(error),
        hint: error instanceof DbError ? error.hint : null,
      });
    }
  }
  const costBefore = costed.reduce((sum, c) => sum + c.weightMs, 0);
  const empty = (): MysqlIndexAdvice => ({
    recommendations: [],
    drops: [],
    unmeasured,
    unplanned,
    candidates: candidates.length,
    costBefore,
    costAfter: costBefore,
    notes,
  });
  if (costed.length === 0) {
    notes.push("no statement of the workload could be planned on the sandbox");
    return empty();
  }

  // 2. Build every candidate once, switched off until it is tried.
  const built: Candidate[] = [];
  for (const [i, c] of candidates.entries()) {
    progress(`building candidate ${i + 1} of ${candidates.length}: ${c.table} (${c.columns.join(", ")})`);
    try {
      await whatIf.build(c, c.name);
      await whatIf.setVisible(c.table, c.name, false);
      built.push(c);
    } catch (error) {
      if (error instanceof DbError && error.isConnectionError) throw error;
      unmeasured.push({
        ddl: c.ddl,
        reason: `for ${c.table} (${c.columns.join(", ")})`,
        why: `the sandbox refused to build it: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }

  // 3. Greedy: the candidate that lowers the workload's weighted cost most, until none lowers it by more than noise.
  const ratioNow = new Map<Costed, number>(costed.map((c) => [c, 1]));
  const workloadMs = (ratios: Map<Costed, number>) =>
    costed.reduce((s, c) => s + c.weightMs * (ratios.get(c) ?? 1), 0);
  const chosen: Array<{ candidate: Candidate; gainMs: number; effects: Map<Costed, number> }> = [];
  let remaining = [...built];
  let budgetLeft = options.budgetBytes ?? Number.POSITIVE_INFINITY;
  const sizes = new Map<Candidate, number>();
  for (const c of built) sizes.set(c, await indexBytes(whatIf, c));
  while (remaining.length > 0 && (options.maxIndexes === null || chosen.length < options.maxIndexes)) {
    let best: { candidate: Candidate; ratios: Map<Costed, number>; gainMs: number } | null = null;
    for (const c of remaining) {
      if ((sizes.get(c) ?? 0) > budgetLeft) continue;
      await whatIf.setVisible(c.table, c.name, true);
      const ratios = new Map(ratioNow);
      for (const s of costed) {
        if (!s.tables.has(c.table)) continue;
        const { cost } = await whatIf.cost(s.statement.sql);
        ratios.set(s, s.baseCost > 0 ? cost / s.baseCost : 1);
      }
      await whatIf.setVisible(c.table, c.name, false);
      const gainMs = workloadMs(ratioNow) - workloadMs(ratios);
      if (gainMs > NOISE * costBefore && (!best || gainMs > best.gainMs))
        best = { candidate: c, ratios, gainMs };
    }
    if (!best) break;
    const { candidate } = best;
    await whatIf.setVisible(candidate.table, candidate.name, true);
    const effects = new Map<Costed, number>();
    for (const s of costed) {
      const before = ratioNow.get(s) ?? 1;
      const after = best.ratios.get(s) ?? before;
      if (after < before * (1 - NOISE)) effects.set(s, after);
    }
    for (const [s, r] of best.ratios) ratioNow.set(s, r);
    chosen.push({ candidate, gainMs: best.gainMs, effects });
    budgetLeft -= sizes.get(candidate) ?? 0;
    remaining = remaining.filter((c) => c !== candidate);
  }
  const costAfter = workloadMs(ratioNow);
  if (
    chosen.length === 0 ||
    costBefore <= 0 ||
    (costBefore - costAfter) / costBefore < options.minImprovement
  ) {
    notes.push(
      chosen.length === 0
        ? `none of the ${built.length} candidates lowered the workload's cost`
        : `the best set lowers the workload's cost by ${(((costBefore - costAfter) / costBefore) * 100).toFixed(1)}%, under --min-improvement ${(options.minImprovement * 100).toFixed(0)}%`,
    );
    for (const { candidate } of chosen) await whatIf.setVisible(candidate.table, candidate.name, false);
    return empty();
  }

  // 4. Measured times of the statements each index changes: chosen set off, then on.
  progress("measuring the statements before and after");
  const touched = costed.filter((s) => chosen.some((c) => c.effects.has(s)));
  const measuredBefore = new Map<Costed, number>();
  const measuredAfter = new Map<Costed, number>();
  for (const { candidate } of chosen) await whatIf.setVisible(candidate.table, candidate.name, false);
  for (const s of touched) measuredBefore.set(s, await whatIf.time(s.statement.sql, options.runs));
  for (const { candidate } of chosen) await whatIf.setVisible(candidate.table, candidate.name, true);
  for (const s of touched) measuredAfter.set(s, await whatIf.time(s.statement.sql, options.runs));
  // Writes maintain an IGNORED or INVISIBLE index all the same, so their charge is measured with the candidates
  // not chosen dropped: each data change on a chosen index's table, now against before any candidate was built.
  for (const c of built) if (!chosen.some((x) => x.candidate === c)) await whatIf.drop(c.table, c.name);
  const writeCharge = new Map<Candidate, number>();
  for (const s of costed) {
    if (!s.writes || s.baseMs === null) continue;
    const on = chosen.filter((c) => s.tables.has(c.candidate.table));
    if (on.length === 0) continue;
    const extraMs = Math.max(0, (await whatIf.time(s.statement.sql, options.runs)) - s.baseMs);
    for (const c of on)
      writeCharge.set(
        c.candidate,
        (writeCharge.get(c.candidate) ?? 0) + (extraMs * s.statement.calls) / on.length,
      );
  }

  const recommendations: IndexRecommendation[] = [];
  for (const { candidate, gainMs, effects } of chosen) {
    const charge = writeCharge.get(candidate) ?? 0;
    if (charge >= gainMs) {
      notes.push(
        `${candidate.ddl} was left out: the workload's writes measured ${charge.toFixed(1)} ms slower with it, more than the ${gainMs.toFixed(1)} ms it saves`,
      );
      continue;
    }
    const queries: QueryEffect[] = [...effects].map(([s, ratio]) => ({
      query: s.statement.sql,
      costBefore: s.baseCost,
      costAfter: s.baseCost * ratio,
      weightMs: s.weightMs,
      planning: "literal",
    }));
    recommendations.push({
      ddl: candidate.ddl,
      schema: whatIf.sandbox.database,
      table: candidate.table,
      method: "btree",
      sizeBytes: sizes.get(candidate) ?? 0,
      reason: `(${candidate.columns.join(", ")}) serves ${queries.length} statement${queries.length === 1 ? "" : "s"} of the workload: the optimizer's cost falls ${queries.map((q) => `${fmt(q.costBefore)} → ${fmt(q.costAfter)}`).join(", ")}`,
      benefitMs: gainMs,
      writeChargeMs: writeCharge.get(candidate) ?? 0,
      breaksHotOn: [],
      queries,
      measured: [...effects.keys()].map((s) => ({
        query: s.statement.sql,
        beforeMs: measuredBefore.get(s) ?? 0,
        afterMs: measuredAfter.get(s) ?? 0,
      })),
    });
  }

  // 5. Each existing secondary index of the workload's tables, switched off with the recommendations on.
  progress("testing what dropping each existing index would do");
  const drops: DropRecommendation[] = [];
  const workloadTables = new Set(costed.flatMap((s) => [...s.tables]));
  for (const index of existing) {
    if (index.unique || !workloadTables.has(index.table) || !wanted(index.table)) continue;
    if (onlyIndexOfForeignKey(index, existing, options.foreignKeys)) continue;
    await whatIf.setVisible(index.table, index.name, false);
    let worse = false;
    for (const s of costed) {
      if (!s.tables.has(index.table)) continue;
      const { cost } = await whatIf.cost(s.statement.sql);
      if (cost > s.baseCost * (ratioNow.get(s) ?? 1) * (1 + NOISE)) worse = true;
    }
    await whatIf.setVisible(index.table, index.name, true);
    if (worse) continue;
    const replacedBy = chosen.find(
      (c) =>
        c.candidate.table === index.table && index.columns.every((col, i) => c.candidate.columns[i] === col),
    );
    drops.push({
      ddl: checkMysqlSql(
        sql`ALTER TABLE ${mysqlIdent(index.table)} DROP INDEX ${mysqlIdent(index.name)}, ALGORITHM=INPLACE, LOCK=NONE`,
        1,
      ),
      index: `${index.table}.${index.name}`,
      sizeBytes: index.sizeBytes,
      reason: `switched off (${(await whatIf.sandbox.capabilities()).flavour === "mariadb" ? "IGNORED" : "INVISIBLE"}) on the sandbox, no statement of the workload cost more${replacedBy ? `: ${replacedBy.candidate.name} leads with its columns` : ""}; other statements than the workload's may still need it`,
      ...(replacedBy ? { replacedBy: replacedBy.candidate.ddl } : {}),
    });
  }
  return {
    recommendations,
    drops,
    unmeasured,
    unplanned,
    candidates: candidates.length,
    costBefore,
    costAfter,
    notes,
  };
}

function fmt(cost: number): string {
  return cost >= 100 ? cost.toFixed(0) : cost.toPrecision(3);
}

function nameIn(ddl: string): string {
  const m = /ADD INDEX `((?:[^`]|``)+)`/.exec(ddl);
  return (m?.[1] ?? "dbopt_idx").replace(/``/g, "`");
}

interface ExistingIndex {
  table: string;
  name: string;
  unique: boolean;
  columns: string[];
  sizeBytes: number;
}

async function existingIndexes(whatIf: MysqlWhatIf): Promise<ExistingIndex[]> {
  const rows = await whatIf.sandbox.query<{ t: string; i: string; nu: number; c: string | null }>(
    `SELECT TABLE_NAME AS t, INDEX_NAME AS i, NON_UNIQUE AS nu, COLUMN_NAME AS c FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
  );
  const out: ExistingIndex[] = [];
  for (const r of rows) {
    let index = out.find((x) => x.table === r.t && x.name === r.i);
    if (!index) {
      index = { table: r.t, name: r.i, unique: Number(r.nu) === 0, columns: [], sizeBytes: 0 };
      out.push(index);
    }
    index.columns.push(r.c ?? "");
  }
  for (const index of out) index.sizeBytes = await sizeOf(whatIf, index.table, index.name);
  return out;
}

/** Whether leading columns are the given ones, in order (MySQL's names are case-insensitive). */
function leadsWith(columns: readonly string[], lead: readonly string[]): boolean {
  return lead.length > 0 && lead.every((c, i) => columns[i]?.toLowerCase() === c.toLowerCase());
}

/**
 * The index is the only one of its table that leads with some foreign key's columns: InnoDB refuses to drop it
 * (ERROR 1553, needed in a foreign key constraint), and without it the key's checks would scan the table.
 */
function onlyIndexOfForeignKey(
  index: ExistingIndex,
  existing: readonly ExistingIndex[],
  foreignKeys: readonly ForeignKeyColumns[],
): boolean {
  return foreignKeys.some(
    (fk) =>
      fk.table.toLowerCase() === index.table.toLowerCase() &&
      leadsWith(index.columns, fk.columns) &&
      !existing.some((e) => e !== index && e.table === index.table && leadsWith(e.columns, fk.columns)),
  );
}

/** An existing index whose leading columns are the candidate's serves it already. */
function served(existing: ExistingIndex[], key: MysqlIndexKey): boolean {
  return existing.some(
    (e) =>
      e.table === key.table && key.columns.every((c, i) => e.columns[i]?.toLowerCase() === c.toLowerCase()),
  );
}

async function indexBytes(whatIf: MysqlWhatIf, c: Candidate): Promise<number> {
  return sizeOf(whatIf, c.table, c.name);
}

/** Pages × page size from InnoDB's persistent statistics; 0 when they are not readable. */
async function sizeOf(whatIf: MysqlWhatIf, table: string, index: string): Promise<number> {
  const rows = await whatIf.sandbox
    .query<{ bytes: number | null }>(
      `SELECT stat_value * @@innodb_page_size AS bytes FROM mysql.innodb_index_stats
        WHERE database_name = DATABASE() AND table_name = ? AND index_name = ? AND stat_name = 'size'`,
      [table, index],
    )
    .catch(() => []);
  return Number(rows[0]?.bytes ?? 0);
}
