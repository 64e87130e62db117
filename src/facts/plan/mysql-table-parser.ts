/**
 * The tabular EXPLAIN of MySQL and MariaDB (`id select_type table ... rows filtered Extra`, and MariaDB's
 * ANALYZE with r_rows and r_filtered) as the client prints it: framed (`mysql -t`, the interactive default),
 * tab-separated (`mysql -B`) or vertical (`\G`). The rows are the join order of each SELECT; the tree is one
 * "Query Block" per select id, its tables under a "Nested Loop Join" in order, and every other select under the
 * first: a subquery as a subplan, a derived table or union part as an input.
 */
import { InputError } from "../../util/input-error.js";
import {
  accessNodeType,
  applyExtra,
  MYSQL_PROP,
  mysqlPlan,
  newNode,
  numberOf,
  type PlanDialect,
} from "./mysql-plan-node.js";
import { numberNodes, type Plan, type PlanNode } from "./plan-model.js";

type Row = Record<string, string>;

const REQUIRED = ["id", "select_type", "table", "type"];

/** Whether the text is a tabular or vertical EXPLAIN: its header (or first row) names select_type and type. */
export function isMysqlTablePlan(text: string): boolean {
  return (
    /(?:^|[\s|])select_type(?:[\s|:]|$)/m.test(text) && /(?:^|[\s|])possible_keys(?:[\s|:]|$)/m.test(text)
  );
}

export function parseMysqlTablePlan(text: string): Plan {
  const rows = /^\s*\*{5,} \d+\. row \*{5,}\s*$/m.test(text) ? verticalRows(text) : tableRows(text);
  if (rows.length === 0) {
    throw new InputError(
      "the tabular EXPLAIN holds no rows",
      "paste the whole output of EXPLAIN, header and rows",
    );
  }
  for (const key of REQUIRED) {
    if (!(key in (rows[0] as Row))) {
      throw new InputError(
        `the tabular EXPLAIN has no ${key} column`,
        "paste the whole output of EXPLAIN, header and rows",
      );
    }
  }
  return buildPlan(rows);
}

/** Framed (`| a | b |` between `+---+` rules) or tab-separated rows under their header. */
function tableRows(text: string): Row[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() && !/^\s*\+[-+]+\+\s*$/.test(l));
  const framed = lines.some((l) => l.trimStart().startsWith("|"));
  const split = (line: string): string[] =>
    framed
      ? line
          .trim()
          .replace(/^\|/, "")
          .replace(/\|$/, "")
          .split("|")
          .map((c) => c.trim())
      : line.split("\t").map((c) => c.trim());
  const headerAt = lines.findIndex((l) => /\bselect_type\b/.test(l));
  if (headerAt < 0) return [];
  const header = split(lines[headerAt] as string);
  const rows: Row[] = [];
  for (const line of lines.slice(headerAt + 1)) {
    if (framed && !line.trimStart().startsWith("|")) break; // "2 rows in set", warnings
    if (!framed && !line.includes("\t")) break;
    const cells = split(line);
    if (cells.length !== header.length) {
      throw new InputError(
        `a row of the tabular EXPLAIN has ${cells.length} cells where the header has ${header.length}: ${line.trim().slice(0, 80)}`,
        "paste the output unwrapped (save it to a file, or use \\G)",
      );
    }
    rows.push(Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""])));
  }
  return rows;
}

/** `\G` output: `*** 1. row ***` then `name: value` lines. */
function verticalRows(text: string): Row[] {
  const rows: Row[] = [];
  let row: Row | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*\*{5,} \d+\. row \*{5,}\s*$/.test(line)) {
      row = {};
      rows.push(row);
      continue;
    }
    const m = /^\s*([A-Za-z_]+): ?(.*)$/.exec(line);
    if (row && m?.[1]) row[m[1]] = (m[2] ?? "").trim();
  }
  return rows;
}

const nullable = (v: string | undefined): string | null =>
  v === undefined || v === "NULL" || v === "" ? null : v;

function buildPlan(rows: Row[]): Plan {
  const blocks = new Map<string, { block: PlanNode; tables: PlanNode[]; selectType: string }>();
  let analyzed = false;
  for (const row of rows) {
    const id = row.id && row.id !== "NULL" ? row.id : `union ${row.table}`;
    let entry = blocks.get(id);
    if (!entry) {
      const selectType = row.select_type ?? "";
      const block = newNode("Query Block");
      block.props[MYSQL_PROP.selectType] = selectType;
      if (/^\d+$/.test(id)) block.props[MYSQL_PROP.selectId] = Number(id);
      if (/DEPENDENT/.test(selectType)) block.props[MYSQL_PROP.dependent] = true;
      entry = { block, tables: [], selectType };
      blocks.set(id, entry);
    }
    const table = tableNode(row);
    if (table.actual !== undefined || MYSQL_PROP.actualFiltered in table.props) analyzed = true;
    entry.tables.push(table);
  }
  const entries = [...blocks.values()];
  for (const { block, tables } of entries) {
    if (tables.length === 1) block.children.push(tables[0] as PlanNode);
    else {
      const loop = newNode("Nested Loop Join");
      loop.children.push(...tables);
      block.children.push(loop);
    }
  }
  const root = (entries[0] as { block: PlanNode }).block;
  for (const { block, selectType } of entries.slice(1)) {
    const sub = /SUBQUERY/.test(selectType);
    block.role = sub ? "subplan" : "child";
    if (sub) block.subplanName = `Subquery select#${block.props[MYSQL_PROP.selectId] ?? "?"}`;
    root.children.push(block);
  }
  numberNodes(root);
  return mysqlPlan(root, { analyzed, dialect: detectDialect(rows[0] as Row) });
}

/** MySQL prints a partitions column, MariaDB does not (and ANALYZE's r_rows is MariaDB's). */
function detectDialect(row: Row): PlanDialect {
  return "partitions" in row ? "mysql" : "mariadb";
}

function tableNode(row: Row): PlanNode {
  const type = nullable(row.type);
  const node = newNode(accessNodeType(type));
  node.relationName = nullable(row.table);
  node.indexName = nullable(row.key);
  node.planRows = numberOf(row.rows);
  if (type) node.props[MYSQL_PROP.accessType] = type;
  const possible = nullable(row.possible_keys);
  if (possible) node.props[MYSQL_PROP.possibleKeys] = possible.split(",");
  const ref = nullable(row.ref);
  if (ref) node.props[MYSQL_PROP.ref] = ref.split(",");
  const filtered = numberOf(row.filtered);
  if (filtered !== null) node.props[MYSQL_PROP.filtered] = filtered;
  const actualRows = numberOf(row.r_rows);
  if (actualRows !== null) node.props["Actual Rows Per Loop"] = actualRows;
  const actualFiltered = numberOf(row.r_filtered);
  if (actualFiltered !== null) node.props[MYSQL_PROP.actualFiltered] = actualFiltered;
  const loops = numberOf(row.loops ?? row.r_loops);
  // MariaDB's tabular ANALYZE prints r_rows per loop without the loop count; only with both is it an actual.
  if (actualRows !== null && loops !== null)
    node.actual = { startupMs: null, totalMs: null, rows: actualRows, loops };
  applyExtra(node, row.Extra ?? row.extra ?? "");
  return node;
}
