/**
 * Index candidates for a MySQL/MariaDB statement, read from its EXPLAIN FORMAT=JSON rather than from a SQL parser:
 * the server has already parsed it (MySQL 8 or MariaDB syntax alike) and prints, per table, the condition it
 * filters by (equalities and ranges, join conditions included) and the sort it does. For each table read by a
 * scan, a range or a non-unique lookup: its equality columns then one range column; and, when the server
 * sorts one table's rows, its equality columns then the ORDER BY columns, so the index returns rows in order.
 */
import { MYSQL_PROP } from "../../facts/plan/mysql-plan-node.js";
import { analyzePlan } from "../../facts/plan/plan-metrics.js";
import type { Plan } from "../../facts/plan/plan-model.js";
import { conditionColumns, conditionOf, realTable, tableNodes } from "../../rules/plan/mysql-plan-facts.js";
import type { PlanFacts } from "../../rules/plan/plan-facts.js";
import type { MysqlIndexKey } from "./mysql-what-if.js";

/** Access types an index on the condition can improve: a scan, a whole index read, a range, a lookup. */
const IMPROVABLE = new Set(["ALL", "index", "range", "ref", "ref_or_null", "index_merge", "hash_ALL"]);

export function candidatesFromPlan(plan: Plan, statement: string): MysqlIndexKey[] {
  const analyzed = analyzePlan(plan);
  const facts: PlanFacts = { analyzed, sql: statement };
  const nodes = tableNodes(facts);
  const out: MysqlIndexKey[] = [];
  const add = (table: string, columns: string[]) => {
    if (columns.length === 0 || columns.length > 5) return;
    if (!out.some((c) => c.table === table && c.columns.join() === columns.join()))
      out.push({ table, columns });
  };
  const sortNode = analyzed.nodes.find((n) => typeof n.props[MYSQL_PROP.sortKey] === "string");
  for (const node of nodes) {
    const access = String(node.props[MYSQL_PROP.accessType]);
    // A lookup by another table's column (ref: db.p.order_ref): an index on that column lets the join start here
    // and look that table up instead, when this table's own condition is the selective one.
    if (node.relationName) {
      for (const ref of String(node.props[MYSQL_PROP.ref] ?? "").split(/,\s*/)) {
        const m = /^(?:[\w$]+\.)?([\w$]+)\.([\w$]+)$/.exec(ref.trim());
        const other = m && nodes.find((n) => n.relationName === m[1] && n !== node);
        if (!m || !other) continue;
        const access = String(other.props[MYSQL_PROP.accessType]);
        const real = realTable(facts, m[1] as string);
        if (IMPROVABLE.has(access) && !real.caveat) add(real.name, [m[2] as string]);
      }
    }
    if (!node.relationName || !IMPROVABLE.has(access)) continue;
    const alias = node.relationName;
    const { name: table, caveat } = realTable(facts, alias);
    if (caveat) continue;
    const condition = conditionOf(facts, node);
    const columns = condition ? conditionColumns(condition, alias) : [];
    add(table, columns);
    // The sort one table's rows need, served by the index: equalities first, then the ORDER BY columns.
    if (sortNode && nodes.length === 1) {
      const order = sortColumns(String(sortNode.props[MYSQL_PROP.sortKey]), alias);
      if (order) {
        const equalities = condition ? equalityColumns(condition, alias) : [];
        add(table, [...equalities, ...order.filter((c) => !equalities.includes(c))]);
      }
    }
  }
  return out;
}

/** The columns of `alias` the condition compares with = (or <=>, IN): they may lead an index before a sort. */
function equalityColumns(condition: string, alias: string): string[] {
  const stripped = condition.replace(/'(?:[^'\\]|\\.|'')*'/g, "''");
  return conditionColumns(condition, alias).filter((c) => {
    const name = c.replace(/[^\w$]/g, "");
    return new RegExp(
      `(?:^|[^\\w$.\x60])(?:\x60?${alias.replace(/[^\w$]/g, "")}\x60?\\.)?\x60?${name}\x60?\\s*(=|<=>|in\\s*\\()`,
      "i",
    ).test(stripped);
  });
}

/** `orders.total desc, orders.id desc` → [total, id] when every key is a plain column of `alias` in one direction. */
function sortColumns(key: string, alias: string): string[] | null {
  const parts = key.split(",").map((p) => p.trim());
  const columns: string[] = [];
  const directions = new Set<string>();
  for (const part of parts) {
    const m = /^(?:`?([\w$]+)`?\.)?`?([\w$]+)`?(?:\s+(asc|desc))?$/i.exec(part);
    if (!m) return null;
    if (m[1] && m[1] !== alias) return null;
    directions.add((m[3] ?? "asc").toLowerCase());
    columns.push(m[2] as string);
  }
  return directions.size === 1 && columns.length > 0 ? columns : null;
}

/** The real names of the tables a plan reads (MySQL and MariaDB print an alias when the statement gave one). */
export function planTables(plan: Plan, statement: string): string[] {
  const facts: PlanFacts = { analyzed: analyzePlan(plan), sql: statement };
  return tableNodes(facts)
    .filter((n) => n.relationName)
    .map((n) => realTable(facts, n.relationName as string).name);
}
