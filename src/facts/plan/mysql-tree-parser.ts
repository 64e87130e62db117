/**
 * MySQL `EXPLAIN FORMAT=TREE` and `EXPLAIN ANALYZE` (8.0.18+) into the plan model: one iterator a line,
 * `-> Label  (cost=1.5 rows=10) (actual time=0.1..0.2 rows=10 loops=1)`, children indented under their parent.
 * A line the client wrapped (the manual prints `(actual time=...)` on a line of its own) is joined back. Built
 * with an explicit stack of open nodes by indentation: no recursion.
 */
import { InputError } from "../../util/input-error.js";
import { MYSQL_PROP, mysqlPlan, newNode, numberOf } from "./mysql-plan-node.js";
import { numberNodes, type Plan, type PlanNode } from "./plan-model.js";

const FIGURES = /\s*\((?:cost=([\d.e+]+)\s+)?rows=([\d.e+]+)\)/;
const ACTUAL = /\s*\(actual time=([\d.]+)\.\.([\d.]+) rows=([\d.e+]+) loops=(\d+)\)/;
const NEVER = /\s*\(never executed\)/;

/**
 * Whether the input looks like a TREE plan: its first line of content (past the client's frame, the `EXPLAIN`
 * heading or `EXPLAIN:` label, a `\G` row mark and the prompt) is an iterator, `-> ...`. A PostgreSQL plan starts
 * with its root node, never with an arrow.
 */
export function isMysqlTreePlan(text: string): boolean {
  for (const raw of text.split("\n")) {
    const line = raw.trim().replace(/^\|\s*/, "");
    if (!line || /^\+-+\+?$|^EXPLAIN\s*\|?$|^\*+ \d+\. row \*+$|^mysql>/.test(line)) continue;
    return (
      /^(?:EXPLAIN:\s*)?->\s+\S/.test(line) &&
      /\((?:cost=[\d.e+]+ )?rows=[\d.e+]+\)|\(actual time=/.test(text)
    );
  }
  return false;
}

interface Line {
  indent: number;
  text: string;
}

/** Iterator lines with their indentation, freed of the client's table frame and `EXPLAIN:` label. */
function iteratorLines(text: string): Line[] {
  const out: Line[] = [];
  for (const raw of text.split(/\r?\n/)) {
    // Trimmed by hand: a regex anchored at the end would rescan a deep line's indentation from every position.
    let line = raw.trimEnd();
    if (line.endsWith("|")) line = line.slice(0, -1).trimEnd();
    if (line.startsWith("|")) line = line.slice(1);
    if (
      /^\s*\d+ rows? in set\b/.test(line) ||
      /^\s*\+-+\+?\s*$/.test(line) ||
      /^\s*EXPLAIN\s*$/.test(line) ||
      /^\s*\*+ \d+\. row \*+\s*$/.test(line)
    )
      continue;
    line = line.replace(/^(\s*)EXPLAIN:\s*/, "$1");
    if (!line.trim()) continue;
    const arrow = line.indexOf("->");
    if (arrow >= 0 && line.slice(0, arrow).trim() === "")
      out.push({ indent: arrow, text: line.slice(arrow + 2).trim() });
    else if (out.length > 0) (out[out.length - 1] as Line).text += ` ${line.trim()}`;
    else if (!/^\s*(?:mysql>|\d+ rows? in set|Query OK)/.test(line)) {
      throw new InputError(
        `the plan starts with text that is not an iterator line: ${line.trim().slice(0, 80)}`,
        "paste the output of EXPLAIN FORMAT=TREE or EXPLAIN ANALYZE",
      );
    }
  }
  return out;
}

export function parseMysqlTreePlan(text: string): Plan {
  const lines = iteratorLines(text);
  if (lines.length === 0) {
    throw new InputError(
      "the MySQL TREE plan holds no iterator line (-> ...)",
      "paste the output of EXPLAIN FORMAT=TREE or EXPLAIN ANALYZE",
    );
  }
  const stack: Array<{ indent: number; node: PlanNode }> = [];
  let root: PlanNode | null = null;
  let analyzed = false;
  for (const line of lines) {
    const node = iteratorNode(line.text);
    if (node.actual !== undefined) analyzed = true;
    while (stack.length > 0 && (stack[stack.length - 1] as { indent: number }).indent >= line.indent)
      stack.pop();
    const parent = stack[stack.length - 1]?.node ?? null;
    if (parent) parent.children.push(node);
    else if (root) {
      throw new InputError(
        `the TREE plan has a second root iterator: ${line.text.slice(0, 80)}`,
        "paste one plan, with its indentation",
      );
    } else root = node;
    stack.push({ indent: line.indent, node });
  }
  const rootNode = root as PlanNode;
  numberNodes(rootNode);
  const top = rootNode.actual;
  return mysqlPlan(rootNode, {
    analyzed,
    dialect: "mysql",
    executionMs: top?.totalMs != null ? top.totalMs * top.loops : null,
  });
}

function iteratorNode(text: string): PlanNode {
  let label = text;
  let cost: number | null = null;
  let rows: number | null = null;
  const figures = FIGURES.exec(label);
  if (figures) {
    cost = numberOf(figures[1]);
    rows = numberOf(figures[2]);
    label = label.replace(FIGURES, "");
  }
  const actual = ACTUAL.exec(label);
  const never = NEVER.test(label);
  label = label.replace(ACTUAL, "").replace(NEVER, "").trim();
  const node = describe(label);
  node.props.Iterator = label;
  if (cost !== null) node.cost = { startup: 0, total: cost };
  node.planRows = rows;
  if (actual) {
    node.actual = {
      startupMs: Number(actual[1]),
      totalMs: Number(actual[2]),
      rows: Number(actual[3]),
      loops: Number(actual[4]),
    };
  } else if (never) node.actual = null;
  return node;
}

/** The iterator's kind, table and index from its label, in MySQL's own words. */
function describe(label: string): PlanNode {
  let m = /^Table scan on (\S+)/.exec(label);
  if (m) return scan("Full Table Scan", "ALL", m[1], null);
  m = /^(?:Covering )?[Ii]ndex scan on (\S+) using (\S+)/.exec(label);
  if (m) return scan("Full Index Scan", "index", m[1], m[2]);
  m = /^(?:Covering )?[Ii]ndex range scan on (\S+) using (\S+)/.exec(label);
  if (m) return scan("Index Range Scan", "range", m[1], m[2]);
  m = /^Single-row (?:covering )?index lookup on (\S+) using (\S+)/.exec(label);
  if (m) return scan("Unique Index Lookup", "eq_ref", m[1], m[2]);
  m = /^(?:Covering )?[Ii]ndex lookup on (\S+) using (\S+)/.exec(label);
  if (m) return scan("Index Lookup", "ref", m[1], m[2]);
  m = /^Constant row from (\S+)/.exec(label);
  if (m) return scan("Constant Row", "const", m[1], null);
  if (/^(?:Inner |Left |Outer |Semi |Anti )?hash join/i.test(label)) {
    const node = newNode("Hash Join");
    node.props[MYSQL_PROP.joinBuffer] = "hash join";
    return node;
  }
  if (/^Nested loop/i.test(label)) return newNode("Nested Loop Join");
  if (/^Sort(?: row IDs)?(?::|$)|^Sort with duplicate removal/.test(label)) {
    const node = newNode("Filesort");
    node.props[MYSQL_PROP.filesort] = true;
    const key = /^Sort[^:]*:\s*(.*)$/.exec(label)?.[1];
    if (key) node.props[MYSQL_PROP.sortKey] = key;
    return node;
  }
  if (/temporary table/i.test(label)) {
    const node = newNode(/^Aggregate/.test(label) ? "Aggregate Using Temporary Table" : "Temporary Table");
    node.props[MYSQL_PROP.temporary] = true;
    return node;
  }
  m = /^Select #(\d+) \(([^)]*)\)/.exec(label);
  if (m) {
    const node = newNode("Subquery", "subplan");
    node.subplanName = `Subquery select#${m[1]}`;
    node.props[MYSQL_PROP.selectId] = Number(m[1]);
    node.props[MYSQL_PROP.dependent] = /\bdependent\b/.test(m[2] ?? "");
    return node;
  }
  m = /^Filter: (.*)$/.exec(label);
  if (m?.[1]) {
    const node = newNode("Filter");
    node.props[MYSQL_PROP.condition] = m[1];
    return node;
  }
  const kind = /^[A-Za-z][A-Za-z -]*?(?=:| on | using |\(|$)/.exec(label)?.[0]?.trim() ?? label;
  return newNode(kind.charAt(0).toUpperCase() + kind.slice(1));
}

function scan(
  nodeType: string,
  accessType: string,
  table: string | undefined,
  index: string | undefined | null,
): PlanNode {
  const node = newNode(nodeType);
  node.relationName = table ?? null;
  node.indexName = index ?? null;
  node.props[MYSQL_PROP.accessType] = accessType;
  return node;
}
