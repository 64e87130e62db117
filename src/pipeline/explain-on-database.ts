import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { genericPlan, planOf } from "../facts/plan/explain-runner.js";
import type { Plan, PlanNode } from "../facts/plan/plan-model.js";
import { explainableStatement } from "../facts/sql/statement-kind.js";
import { InputError } from "../util/input-error.js";
import { qualifiedName } from "../util/sql-identifiers.js";

export interface ExplainOptions {
  /** Run the statement (EXPLAIN ANALYZE, BUFFERS); a data-changing one runs in a transaction that is rolled back. */
  analyze: boolean;
  /**
   * The caller accepts what a rollback leaves behind (see `sideEffects`) for a large data change or one that fires
   * triggers: the database is a copy (--sandbox) or the user said so (--allow-writes).
   */
  allowWrites?: boolean;
}

/** Above this many rows to change (the planner's estimate), --analyze of a write needs the caller's consent. */
export const LARGE_WRITE_ROWS = 10_000;

export interface ExplainRun {
  plan: Plan;
  /** "analyze", "estimate", "generic" (EXPLAIN GENERIC_PLAN) or "prepared-generic" (PREPARE + force_generic_plan). */
  method: "analyze" | "estimate" | "generic" | "prepared-generic";
  rolledBack: boolean;
  /** What running the statement left behind although it was rolled back (empty when it did not change data). */
  sideEffects: string[];
}

/** Ask the database for the plan of one statement, never leaving a change behind. */
export async function explainOnDatabase(
  db: PostgresConnector,
  sql: string,
  options: ExplainOptions,
): Promise<ExplainRun> {
  const statement = explainableStatement(sql);
  const caps = await db.capabilities();
  const body = sql.trim().replace(/;\s*$/, "");
  if (statement.parameters > 0) {
    if (options.analyze) {
      throw new InputError(
        `the statement has $${statement.parameters} parameters, so it cannot run with --analyze`,
        "put literal values in place of $1, $2, ... or drop --analyze to get the generic plan",
      );
    }
    return {
      plan: await genericPlan(db, body, statement.parameters, caps.major),
      method: caps.major >= 16 ? "generic" : "prepared-generic",
      rolledBack: false,
      sideEffects: [],
    };
  }
  if (!options.analyze) {
    const [row] = await db.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON, SETTINGS) ${body}`);
    return { plan: planOf(row), method: "estimate", rolledBack: false, sideEffects: [] };
  }
  const sideEffects = statement.writes ? await writeEffects(db, body, statement.type, options) : [];
  const explain = `EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT JSON) ${body}`;
  // track_io_timing shows where reads wait; only superusers may turn it on for a session.
  const run = async () => {
    if (caps.isSuperuser) await db.query("SET LOCAL track_io_timing = on");
    const [row] = await db.query<{ "QUERY PLAN": unknown }>(explain);
    return planOf(row);
  };
  const plan = statement.writes ? await db.inRolledBackTransaction(run) : await db.inReadOnlySnapshot(run);
  return { plan, method: "analyze", rolledBack: statement.writes, sideEffects };
}

interface Target {
  operation: string;
  schema: string | null;
  table: string;
  rows: number;
}

/** The tables a plan writes to, each with the rows the planner expects to change. */
function writeTargets(plan: Plan): Target[] {
  const out: Target[] = [];
  const stack: PlanNode[] = [plan.root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.nodeType === "ModifyTable" && node.relationName) {
      out.push({
        operation: (node.details.Operation ?? "change").toUpperCase(),
        schema: node.schema,
        table: node.relationName,
        rows: Math.round(node.children[0]?.planRows ?? node.planRows ?? 0),
      });
    }
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as PlanNode);
  }
  return out;
}

/**
 * What EXPLAIN ANALYZE of a data-changing statement leaves behind though its transaction is rolled back, found
 * from a plain EXPLAIN (which runs nothing) and the catalogue. A large change, or one that fires triggers, is
 * refused unless the caller allows it: dead rows, WAL and locks grow with the rows, and a trigger may act
 * outside the database, where no rollback reaches.
 */
async function writeEffects(
  db: PostgresConnector,
  body: string,
  type: string,
  options: ExplainOptions,
): Promise<string[]> {
  const [row] = await db.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) ${body}`);
  const plan = planOf(row);
  const targets = writeTargets(plan);
  if (targets.length === 0) {
    // SELECT ... FOR UPDATE/SHARE: nothing changes, but every row it returns is locked (its xmax set, in WAL).
    const locked = Math.round(plan.root.planRows ?? 0);
    const lockedText = `${locked.toLocaleString("en-US")} row${locked === 1 ? "" : "s"}`;
    if (!options.allowWrites && locked > LARGE_WRITE_ROWS)
      throw new InputError(
        `--analyze would lock about ${lockedText} (SELECT ... FOR UPDATE/SHARE, over ${LARGE_WRITE_ROWS.toLocaleString("en-US")}) while it runs, and other writers to them would wait`,
        "run it on a copy of the database with --sandbox, or pass --allow-writes to accept it; without --analyze the plan is estimated and nothing runs",
      );
    return [
      `the statement locked the rows it returned (the planner expected about ${lockedText}) while it ran, so other writers to them waited; marking them wrote WAL; the locks ended with the rollback`,
    ];
  }
  const rows = targets.reduce((sum, t) => sum + t.rows, 0);
  const names = targets.map((t) => qualifiedName(t.schema, t.table));
  const catalogue = targets.length
    ? await db.query<{ triggers: string[] | null }>(
        `SELECT array_agg(name ORDER BY name) AS triggers
           FROM (SELECT DISTINCT format('%s on %s', quote_ident(t.tgname), t.tgrelid::regclass) AS name
                   FROM pg_trigger t
                  WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND t.tgrelid = ANY($1::regclass[])) AS user_triggers`,
        [names],
      )
    : [];
  const triggers = catalogue[0]?.triggers ?? [];
  const inserts = targets.some((t) => t.operation === "INSERT" || t.operation === "MERGE");
  const changesRows = targets.some((t) => t.operation !== "INSERT");
  const rowsText = `${rows.toLocaleString("en-US")} row${rows === 1 ? "" : "s"}`;
  const effects = [
    `${type.replace(/Stmt$/, "").toUpperCase()} ran for real on ${names.join(", ") || "its tables"} (the planner expected about ${rowsText}) and was then rolled back; these effects remain:`,
    ...(changesRows
      ? [
          `each updated or deleted row left a dead row version until VACUUM removes it (pg_stat_user_tables.n_dead_tup), and was locked while the statement ran, so other writers to those rows waited`,
        ]
      : []),
    ...(inserts
      ? [
          "each inserted row stays as a dead row version until VACUUM; sequences (serial and identity columns, nextval) advanced and are not rolled back, so the next ids skip",
        ]
      : []),
    "the changes were written to WAL (and sent to replicas) before the rollback",
    triggers.length
      ? `triggers fired: ${triggers.join(", ")}; what they did outside the database (dblink, COPY TO PROGRAM, http calls) is not rolled back`
      : "no user triggers on the changed tables (foreign-key actions ran, and were rolled back with the rest)",
  ];
  if (!options.allowWrites && (rows > LARGE_WRITE_ROWS || triggers.length > 0)) {
    throw new InputError(
      `--analyze would run this ${type.replace(/Stmt$/, "").toUpperCase()} on ${
        rows > LARGE_WRITE_ROWS
          ? `about ${rowsText} of ${names.join(", ")} (over ${LARGE_WRITE_ROWS.toLocaleString("en-US")})`
          : names.join(", ")
      }${triggers.length ? ` and fire ${triggers.length === 1 ? "a trigger" : `${triggers.length} triggers`} (${triggers.join(", ")})` : ""}; a rollback still leaves dead rows, WAL${inserts ? ", advanced sequences" : ""} and whatever triggers did outside the database`,
      "run it on a copy of the database with --sandbox, or pass --allow-writes to accept these effects; without --analyze the plan is estimated and nothing runs",
    );
  }
  return effects;
}
