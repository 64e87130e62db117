/**
 * One item per partitioned table: findings that propose the same index on several partitions of one partitioned
 * table (a seq scan on each of payment_p2022_01 … _06) become one finding on the parent, whose fix is the
 * partitioned recipe (partitioned-index-sql.ts), with the time summed and the partitions listed. Indexing the
 * parent is what an expert does: every partition gets the index, including the ones attached later.
 */

import { partitionRoot, partitionTree } from "../facts/partition-tree.js";
import type { Snapshot, TableFacts } from "../facts/snapshot.js";
import { formatCount, formatMs } from "../util/format.js";
import { freeName } from "../util/sql-identifiers.js";
import { byteToCharOffset, scanSql, tryParseSql } from "../util/sql-parser.js";
import { ident, lines, qname, sql, sqlFrom } from "../util/sql-text.js";
import type { Finding } from "./finding.js";
import { SEVERITY_ORDER } from "./finding.js";
import { indexShape } from "./index-shape.js";
import { alsoFixed, mergeFindings } from "./merge-findings.js";
import { partitionedIndexSteps } from "./partitioned-index-sql.js";

/**
 * mergeFindings, then the partitions' findings collapsed to their parent, then merged again: the parent's index
 * may now be the one a parent-level finding (a foreign key without an index) proposes.
 */
export function mergeByParent(findings: Finding[], snapshot: Snapshot): Finding[] {
  const merged = mergeFindings(findings);
  const collapsed = collapsePartitionFindings(merged, snapshot);
  return collapsed === merged ? merged : mergeFindings(collapsed);
}

/** A leaf's index fix, read back: where it goes and what follows the table name (USING, keys, WHERE). */
interface LeafIndex {
  leaf: TableFacts;
  root: TableFacts;
  /** The index's meaning without its table: the same on every leaf that gets it. */
  shapeKey: string;
  /** `USING btree (customer_id) WHERE ...` or `(customer_id)`: dbopt's own text, parsed back already. */
  tail: string;
  /** The columns the index names, which must exist on the parent. */
  columns: string[];
}

/**
 * Collapse the findings whose fixes build the same index on two or more leaves of one partitioned table. A finding
 * on one partition only is left as it is: its query may prune to that partition, where one index is all it needs.
 */
export function collapsePartitionFindings(findings: Finding[], snapshot: Snapshot): Finding[] {
  if (!snapshot.tables.some((t) => t.kind === "partitioned")) return findings;
  const groups = new Map<string, { root: TableFacts; tail: string; members: Finding[] }>();
  const leafOf = new Map<Finding, TableFacts>();
  for (const f of findings) {
    const leaf = leafIndexOf(f, snapshot);
    if (!leaf) continue;
    const key = `${leaf.root.schema}.${leaf.root.name}\u0000${leaf.shapeKey}`;
    const group = groups.get(key) ?? { root: leaf.root, tail: leaf.tail, members: [] };
    groups.set(key, group);
    group.members.push(f);
    leafOf.set(f, leaf.leaf);
  }
  const collapsed = new Map<Finding, Finding | null>();
  for (const { root, tail, members } of groups.values()) {
    const leaves = new Set(members.map((f) => leafOf.get(f)));
    if (leaves.size < 2) continue;
    const merged = parentFinding(snapshot, root, tail, members, leafOf);
    if (!merged) continue;
    members.forEach((f, i) => {
      collapsed.set(f, i === 0 ? merged : null);
    });
  }
  if (collapsed.size === 0) return findings;
  return findings.flatMap((f) => {
    if (!collapsed.has(f)) return [f];
    const replacement = collapsed.get(f);
    return replacement ? [replacement] : [];
  });
}

/** The leaf index a finding's fix builds, when it is one plain CREATE INDEX on a partition of a partitioned table. */
function leafIndexOf(f: Finding, snapshot: Snapshot): LeafIndex | null {
  const text = f.fix?.sql;
  if (!text) return null;
  const shape = indexShape(text);
  // A unique index on a partitioned table must contain the partition key: not one to move up unasked.
  if (!shape || shape.unique) return null;
  const leaf = snapshot.tables.find((t) => `${t.schema}.${t.name}` === shape.table);
  if (!leaf?.parent || leaf.kind === "partitioned") return null;
  const root = partitionRoot(snapshot, leaf);
  if (root === leaf || root.kind !== "partitioned") return null;
  const parsed = tryParseSql(text);
  const stmts = parsed?.stmts ?? [];
  // One CREATE INDEX: the recipe already on a parent (ON ONLY, ATTACH) is not a leaf's fix.
  if (stmts.length !== 1) return null;
  const [only] = stmts;
  const index = (only?.stmt as { IndexStmt?: IndexStmt } | undefined)?.IndexStmt;
  if (!index?.relation || index.relation.location === undefined) return null;
  const tail = textAfterTable(
    text,
    index.relation.location,
    (only?.stmt_location ?? 0) + (only?.stmt_len ?? 0),
  );
  if (!tail) return null;
  const columns = [...new Set(columnsIn([index.indexParams, index.indexIncludingParams, index.whereClause]))];
  return {
    leaf,
    root,
    shapeKey: JSON.stringify([shape.method, shape.unique, shape.keys, shape.include, shape.predicate]),
    tail,
    columns,
  };
}

interface IndexStmt {
  relation?: { location?: number };
  indexParams?: unknown[];
  indexIncludingParams?: unknown[];
  whereClause?: unknown;
}

/** The statement's text after its (possibly qualified, quoted) table name, without the closing semicolon. */
function textAfterTable(text: string, tableByte: number, endByte: number): string | null {
  const tokens = scanSql(text).tokens;
  let i = tokens.findIndex((t) => t.start === tableByte);
  if (i < 0) return null;
  // schema . table: identifiers (or unreserved keywords used as names) joined by dots.
  while (tokens[i + 1]?.text === "." && tokens[i + 2]) i += 2;
  const next = tokens[i + 1];
  if (!next) return null;
  const end = endByte > next.start ? endByte : Buffer.byteLength(text, "utf8");
  const tail = text.slice(byteToCharOffset(text, next.start), byteToCharOffset(text, end)).trim();
  return tail.replace(/;\s*$/, "") || null;
}

/** Every column an index names: its plain key columns and the column references in its expressions. */
function columnsIn(node: unknown): string[] {
  const out: string[] = [];
  const stack: unknown[] = [node];
  // Absent parts (no INCLUDE, no WHERE) are never pushed: undefined ends the walk. Pushed in reverse, so the
  // columns come out in the index's order.
  const push = (xs: unknown[]) => stack.push(...xs.filter((x) => x !== undefined).reverse());
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    if (Array.isArray(n)) push(n);
    else if (n && typeof n === "object") {
      const o = n as Record<string, unknown>;
      const elem = o.IndexElem as { name?: string } | undefined;
      if (elem?.name) out.push(elem.name);
      const ref = o.ColumnRef as { fields?: Array<{ String?: { sval?: string } }> } | undefined;
      const last = ref?.fields?.at(-1)?.String?.sval;
      if (last) out.push(last);
      push(Object.values(o));
    }
  }
  return out;
}

/** The one finding on the parent, or null when the index would not fit it (a column only the leaves have). */
function parentFinding(
  snapshot: Snapshot,
  root: TableFacts,
  tail: string,
  members: Finding[],
  leafOf: Map<Finding, TableFacts>,
): Finding | null {
  const first = members[0];
  const columns = first ? (leafIndexOf(first, snapshot)?.columns ?? []) : [];
  if (!first || !columns.every((c) => root.columns.some((rc) => rc.name === c))) return null;
  const tree = partitionTree(snapshot, root.schema, root.name);
  if (!tree) return null;
  const allLeaves = snapshot.tables.filter(
    (t) => t.kind !== "partitioned" && t.parent !== null && partitionRoot(snapshot, t) === root,
  );
  const primary = members.reduce((best, f) => ((f.timeMs ?? 0) > (best.timeMs ?? 0) ? f : best), first);
  const withLeaf = [...new Set(members.map((f) => leafOf.get(f)).filter((t) => t !== undefined))];
  const named = withLeaf.map((t) => t.name).sort();
  const without = allLeaves.filter((t) => !withLeaf.includes(t)).map((t) => t.name);
  const time = members.some((f) => f.timeMs !== undefined)
    ? members.reduce((n, f) => n + (f.timeMs ?? 0), 0)
    : undefined;
  const share = members.some((f) => f.timeShare !== undefined)
    ? Math.min(
        1,
        members.reduce((n, f) => n + (f.timeShare ?? 0), 0),
      )
    : undefined;
  // Names unused in each schema, by the snapshot's relations and by this recipe's earlier steps.
  const taken = new Map<string, Set<string>>();
  const takenIn = (schema: string) => {
    let names = taken.get(schema);
    if (!names) {
      names = new Set([
        ...snapshot.indexes.filter((i) => i.schema === schema).map((i) => i.name),
        ...snapshot.tables.filter((t) => t.schema === schema).map((t) => t.name),
      ]);
      taken.set(schema, names);
    }
    return names;
  };
  const names = new Map<TableFacts, string>();
  const steps = partitionedIndexSteps(tree, {
    name(table) {
      let name = names.get(table);
      if (!name) {
        const inSchema = takenIn(table.schema);
        name = freeName(inSchema, `${table.name}_${columns.join("_") || "expr"}_idx`);
        inSchema.add(name);
        names.set(table, name);
      }
      return name;
    },
    create(table, name, kind) {
      const using = sqlFrom("dbopt", tail);
      return kind === "only"
        ? sql`CREATE INDEX ${ident(name)} ON ONLY ${qname(table.schema, table.name)} ${using};`
        : sql`CREATE INDEX CONCURRENTLY ${ident(name)} ON ${qname(table.schema, table.name)} ${using};`;
    },
  });
  const others = members.filter((f) => f !== primary);
  const timed = members
    .filter((f) => f.timeMs !== undefined)
    .map((f) => `${leafOf.get(f)?.name}: ${formatMs(f.timeMs ?? 0)}`);
  const partly = without.length
    ? ` ${without.length === 1 ? "Partition" : "Partitions"} ${without.join(", ")} did not show it (not in the statements examined, or pruned away); the index is built on ${without.length === 1 ? "it" : "them"} too, so that every partition, and every one attached later, has it: a partition without it makes the parent's index invalid.`
    : "";
  return {
    ...primary,
    severity: members.reduce(
      (s, f) => (SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[s] ? f.severity : s),
      primary.severity,
    ),
    title: `${root.name} (partitioned), on ${named.length} of ${allLeaves.length} partitions: ${primary.title}`,
    detail: `${primary.detail} The same finding on ${named.join(", ")}${timed.length ? ` (${timed.join(", ")})` : ""}: one index on ${root.name} serves them all.${partly}`,
    ...(time !== undefined ? { timeMs: time } : {}),
    ...(share !== undefined ? { timeShare: share } : {}),
    impact: members.reduce((n, f) => n + f.impact, 0),
    evidence: {
      ...primary.evidence,
      partitionedTable: root.name,
      partitions: named.join(", "),
      partitionsWith: named.length,
      partitionsOfParent: allLeaves.length,
    },
    fix: {
      sql: lines(steps.map((s) => s.sql)),
      note: `PostgreSQL cannot build an index CONCURRENTLY on a partitioned table, and a plain CREATE INDEX on it blocks writes to every partition until done. So: the parent's index ON ONLY ${root.name} (invalid until complete), each partition's built CONCURRENTLY (outside a transaction block), and attached; the last ATTACH makes it valid. ${formatCount(
        allLeaves.reduce((n, t) => n + t.rowsEstimate, 0),
      )} rows in ${allLeaves.length} partitions.`,
    },
    objects: [`${root.schema}.${root.name}`, ...new Set(members.flatMap((f) => f.objects ?? []))],
    alsoFixes: [...(primary.alsoFixes ?? []), ...others.flatMap(alsoFixed)],
  };
}
