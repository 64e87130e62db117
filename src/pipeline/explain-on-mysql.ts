import type { MysqlConnector } from "../connectors/mysql/mysql-connector.js";
import { mysqlStatementKind } from "../facts/collect-mysql/mysql-statement-kind.js";
import { readMysqlPlan } from "../facts/plan/mysql-plan-input.js";
import type { Plan, PlanNode } from "../facts/plan/plan-model.js";
import { InputError } from "../util/input-error.js";
import { type ExplainOptions, LARGE_WRITE_ROWS } from "./explain-on-database.js";
import { type PlanReport, reportOnPlan } from "./plan-report.js";

export interface MysqlExplainRun {
  plan: Plan;
  /** "EXPLAIN FORMAT=JSON", "ANALYZE FORMAT=JSON" (MariaDB) or "EXPLAIN ANALYZE" (MySQL 8). */
  how: string;
  rolledBack: boolean;
  /** What running a data change left behind although it was rolled back. */
  sideEffects: string[];
}

/**
 * `dbopt explain --db mysql://... --sql`: EXPLAIN FORMAT=JSON (or the server's ANALYZE) through the read-only
 * connector, read by the MySQL plan parsers, then the same plan rules and report as a pasted plan.
 */
export async function explainStatementOnMysql(
  db: MysqlConnector,
  sql: string,
  options: ExplainOptions,
): Promise<PlanReport> {
  const run = await explainOnMysql(db, sql, options);
  const report = reportOnPlan(run.plan, {
    source: `${db.target.display} (${run.how}${run.rolledBack ? ", rolled back" : ""})`,
    sql,
  });
  const notes = [...(report.notes ?? []), ...run.sideEffects];
  return notes.length ? { ...report, notes } : report;
}

/** Ask the server for the plan of one statement, never leaving a change behind unless the caller allowed it. */
export async function explainOnMysql(
  db: MysqlConnector,
  sql: string,
  options: ExplainOptions,
): Promise<MysqlExplainRun> {
  const body = sql.trim().replace(/;\s*$/, "");
  const kind = mysqlStatementKind(body);
  if (kind.statements !== 1)
    throw new InputError(
      `--sql holds ${kind.statements} statements; EXPLAIN takes one`,
      "give one statement (SELECT, INSERT, UPDATE, DELETE or REPLACE)",
    );
  if (!kind.explainable)
    throw new InputError(
      `EXPLAIN cannot take a ${kind.verb.toUpperCase()} statement`,
      "give a SELECT, INSERT, UPDATE, DELETE or REPLACE; for an ALTER TABLE use dbopt migrate",
    );
  const caps = await db.capabilities();
  // MariaDB refuses even EXPLAIN of a data change in a read-only transaction; EXPLAIN runs nothing.
  const explainJson = async () =>
    planFrom(await firstValue(db, `EXPLAIN FORMAT=JSON ${body}`), "EXPLAIN FORMAT=JSON");
  const estimate = kind.writes ? await db.inRolledBackTransaction(explainJson) : await explainJson();
  if (!options.analyze)
    return { plan: estimate, how: "EXPLAIN FORMAT=JSON", rolledBack: false, sideEffects: [] };
  // MariaDB's ANALYZE FORMAT=JSON gives r_rows and times per table; MySQL 8.0.18+ prints EXPLAIN ANALYZE as a tree.
  const how = caps.flavour === "mariadb" ? "ANALYZE FORMAT=JSON" : "EXPLAIN ANALYZE";
  const analyze = async () => planFrom(await firstValue(db, `${how} ${body}`), how);
  if (!kind.writes) return { plan: await analyze(), how, rolledBack: false, sideEffects: [] };
  const sideEffects = await writeEffects(db, estimate, kind.verb, options);
  return { plan: await db.inRolledBackTransaction(analyze), how, rolledBack: true, sideEffects };
}

async function firstValue(db: MysqlConnector, text: string): Promise<string> {
  const [row] = await db.query<Record<string, unknown>>(text);
  const value = row ? Object.values(row)[0] : undefined;
  return String(value ?? "");
}

function planFrom(text: string, how: string): Plan {
  const plan = readMysqlPlan(text);
  if (!plan) throw new Error(`the server's ${how} output is not a plan dbopt reads: ${text.slice(0, 200)}`);
  return plan;
}

/** Table nodes of a plan with the rows the optimizer expects to read from each. */
function planTables(plan: Plan): Array<{ table: string; rows: number }> {
  const out: Array<{ table: string; rows: number }> = [];
  const stack: PlanNode[] = [plan.root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.relationName) out.push({ table: node.relationName, rows: Math.round(node.planRows ?? 0) });
    for (const child of node.children) stack.push(child);
  }
  return out;
}

/**
 * What ANALYZE of a data change leaves behind though its transaction is rolled back, from the EXPLAIN (which ran
 * nothing) and information_schema. A large change, triggers, or a table whose engine cannot roll back (MyISAM,
 * Aria, MEMORY) is refused unless the caller allows it.
 */
async function writeEffects(
  db: MysqlConnector,
  estimate: Plan,
  verb: string,
  options: ExplainOptions,
): Promise<string[]> {
  const tables = planTables(estimate);
  const names = [...new Set(tables.map((t) => t.table))];
  const rows = tables.reduce((max, t) => Math.max(max, t.rows), 0);
  const placeholders = names.map(() => "?").join(", ") || "NULL";
  const triggers = (
    await db.query<{ name: string }>(
      `SELECT CONCAT(TRIGGER_NAME, ' on ', EVENT_OBJECT_TABLE) AS name FROM information_schema.TRIGGERS
        WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE IN (${placeholders}) ORDER BY 1`,
      names,
    )
  ).map((t) => t.name);
  const nonTransactional = (
    await db.query<{ name: string }>(
      `SELECT CONCAT(TABLE_NAME, ' (', ENGINE, ')') AS name FROM information_schema.TABLES
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (${placeholders}) AND ENGINE NOT IN ('InnoDB') ORDER BY 1`,
      names,
    )
  ).map((t) => t.name);
  const rowsText = `${rows.toLocaleString("en-US")} row${rows === 1 ? "" : "s"}`;
  const what = verb.toUpperCase();
  // MariaDB's plan of DELETE without WHERE is only "Deleting all rows": no table, no count.
  const uncounted = names.length === 0;
  if (
    !options.allowWrites &&
    (uncounted || rows > LARGE_WRITE_ROWS || triggers.length > 0 || nonTransactional.length > 0)
  ) {
    const reasons = [
      uncounted && 'change rows its plan does not count (MariaDB says only "Deleting all rows")',
      rows > LARGE_WRITE_ROWS && `read about ${rowsText} (over ${LARGE_WRITE_ROWS.toLocaleString("en-US")})`,
      triggers.length > 0 && `fire ${triggers.join(", ")}`,
      nonTransactional.length > 0 && `change ${nonTransactional.join(", ")}, which a rollback does not undo`,
    ].filter(Boolean);
    throw new InputError(
      `--analyze would run this ${what} for real and ${reasons.join(" and ")}`,
      "run it on a copy of the database with --sandbox, or pass --allow-writes to accept it; without --analyze the plan is estimated and nothing runs",
    );
  }
  return [
    `${what} ran for real on ${names.join(", ") || "its tables"} (the optimizer expected to read about ${rowsText}) and was then rolled back; these effects remain:`,
    "the rows it changed or read were locked while it ran, so other writers to them waited",
    ...(verb === "insert" || verb === "replace"
      ? ["AUTO_INCREMENT values it took are not given back, so the next ids skip"]
      : []),
    ...(nonTransactional.length
      ? [`${nonTransactional.join(", ")}: changes to a non-transactional table stay despite the rollback`]
      : []),
    triggers.length
      ? `triggers fired: ${triggers.join(", ")}; what they did to non-transactional tables stays`
      : "no triggers on the changed tables",
  ];
}
