import { partitionTree } from "../../facts/partition-tree.js";
import type { IndexFacts, Snapshot, TableFacts } from "../../facts/snapshot.js";
import { tableObject } from "../../facts/snapshot-accessors.js";
import type { Finding, Fix } from "../../findings/finding.js";
import { attachIndex, partitionedIndexSteps } from "../../findings/partitioned-index-sql.js";
import { formatCount } from "../../util/format.js";
import { freeName } from "../../util/sql-identifiers.js";
import { ident, lines, qname, type SqlText, sql, sqlFrom } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = { minRows: number };

/** What makes two indexes the same index on different tables of a tree: what follows USING, and uniqueness. */
const shapeOf = (i: IndexFacts) => (i.usingClause ? `${i.isUnique ? "unique " : ""}${i.usingClause}` : null);

/**
 * Partitions that lack an index the rest of their tree has: an index of the partitioned parent that was never
 * built or attached on them (an ON ONLY index left unfinished stays invalid, and the partition is scanned), or
 * an index (or key) created on each partition by hand that most of their siblings have. A partition detached
 * and attached again, or created by hand and attached, is the usual cause.
 */
export const partitionMissingIndex: Rule<HealthFacts, Options> = {
  id: "health/partition-missing-index",
  family: "health",
  group: "indexes",
  title: "Partition without its siblings' index",
  description:
    "A partition that lacks an index of its partitioned parent (which stays invalid until every partition has one) or an index or key most of its sibling partitions have: queries that prune to that partition scan it, and a missing unique index does not enforce uniqueness there.",
  maxSeverity: "warning",
  docsUrl:
    "https://www.postgresql.org/docs/current/ddl-partitioning.html#DDL-PARTITIONING-DECLARATIVE-MAINTENANCE",
  options: {
    minRows: {
      default: 0,
      description: "rows of the partitions lacking the index below which it is not reported",
    },
  },
  check({ snapshot }, o) {
    const findings: Finding[] = [];
    const taken = new Set(snapshot.indexes.map((i) => `${i.schema}.${i.name}`));
    for (const s of snapshot.tables) taken.add(`${s.schema}.${s.name}`);
    for (const parent of snapshot.tables.filter((t) => t.kind === "partitioned")) {
      const tree = partitionTree(snapshot, parent.schema, parent.name);
      const children = tree?.children.map((c) => c.table) ?? [];
      if (children.length === 0) continue;
      const indexesOf = (t: TableFacts) =>
        snapshot.indexes.filter((i) => i.tableSchema === t.schema && i.table === t.name);
      // The parent's own indexes: every child must have one attached to each.
      for (const index of indexesOf(parent)) {
        const lacking = children.filter(
          (c) => !indexesOf(c).some((i) => i.parentIndex === `${index.schema}.${index.name}`),
        );
        const finding = report(this, snapshot, parent, index, lacking, children.length, true, taken);
        if (finding && rowsOf(snapshot, lacking) >= o.minRows) findings.push(finding);
      }
      // Indexes made on the leaves one by one: a shape most siblings have, missing on some.
      const leaves = children.filter((c) => c.kind !== "partitioned");
      if (leaves.length < 3) continue;
      const shapes = new Map<string, IndexFacts>();
      const holders = new Map<string, Set<TableFacts>>();
      for (const leaf of leaves)
        for (const i of indexesOf(leaf)) {
          const shape = shapeOf(i);
          if (!shape) continue;
          if (!i.parentIndex && !shapes.has(shape)) shapes.set(shape, i);
          holders.set(shape, (holders.get(shape) ?? new Set()).add(leaf));
        }
      for (const [shape, index] of shapes) {
        const have = holders.get(shape)?.size ?? 0;
        const lacking = leaves.filter((l) => !holders.get(shape)?.has(l));
        // Most of the partitions have it, and at least two do: an index on a few partitions may be on purpose.
        if (lacking.length === 0 || have < 2 || have <= leaves.length / 2) continue;
        const finding = report(this, snapshot, parent, index, lacking, leaves.length, false, taken);
        if (finding && rowsOf(snapshot, lacking) >= o.minRows) findings.push(finding);
      }
    }
    return findings;
  },
};

const rowsOf = (snapshot: Snapshot, tables: TableFacts[]) =>
  tables.reduce((n, t) => n + rowsUnder(snapshot, t), 0);

function rowsUnder(snapshot: Snapshot, t: TableFacts): number {
  if (t.kind !== "partitioned") return t.rowsEstimate;
  const tree = partitionTree(snapshot, t.schema, t.name);
  return (tree?.children ?? []).reduce((n, c) => n + rowsUnder(snapshot, c.table), 0);
}

function report(
  rule: { id: string; docsUrl: string },
  snapshot: Snapshot,
  parent: TableFacts,
  index: IndexFacts,
  lacking: TableFacts[],
  of: number,
  onParent: boolean,
  taken: Set<string>,
): Finding | null {
  if (lacking.length === 0) return null;
  const rows = rowsOf(snapshot, lacking);
  const names = lacking.map((t) => t.name).join(", ");
  const kind = index.isPrimary ? "primary key" : index.isUnique ? "unique index" : "index";
  const what = onParent
    ? `${parent.name}'s ${kind} ${index.name}`
    : `the ${kind} ${index.name} that ${of - lacking.length} of its ${of} partitions have (made on each partition, not on ${parent.name})`;
  return {
    ruleId: rule.id,
    severity: index.isUnique || rows >= 10_000 ? "warning" : "info",
    title: `${lacking.length === 1 ? `Partition ${names} lacks` : `Partitions ${names} lack`} ${what}`,
    detail: `${names} (${formatCount(rows)} rows) ${lacking.length === 1 ? "has" : "have"} no ${index.usingClause ? `index ${index.usingClause}` : "equivalent index"}: queries that reach ${lacking.length === 1 ? "it" : "them"} scan instead${index.isUnique ? ", and uniqueness is not enforced there" : ""}.${onParent && !index.isValid ? ` ${index.name} stays invalid, unused by the planner, until every partition has its index attached.` : ""}`,
    evidence: {
      table: parent.name,
      index: index.name,
      partitions: names,
      partitionsLacking: lacking.length,
      partitionsOf: of,
      rows: Math.round(rows),
      onParent,
      parentIndexValid: onParent ? index.isValid : null,
    },
    ...(index.usingClause ? { fix: fix(snapshot, parent, index, lacking, onParent, taken) } : {}),
    docsUrl: rule.docsUrl,
    impact: rows,
    objects: [tableObject(parent), ...lacking.map(tableObject), `${index.schema}.${index.name}`],
  };
}

/** Build the index on each partition lacking it CONCURRENTLY, and attach it when the parent has the index. */
function fix(
  snapshot: Snapshot,
  parent: TableFacts,
  index: IndexFacts,
  lacking: TableFacts[],
  onParent: boolean,
  taken: Set<string>,
): Fix {
  const using = sqlFrom("server", index.usingClause as string);
  // The new index's name: the reference index's name with its table's name swapped for the partition's.
  const suffix = index.name.startsWith(`${index.table}_`)
    ? index.name.slice(index.table.length + 1)
    : index.name;
  const nameFor = (t: TableFacts) => {
    const inSchema = new Set(
      [...taken].filter((k) => k.startsWith(`${t.schema}.`)).map((k) => k.slice(t.schema.length + 1)),
    );
    const name = freeName(inSchema, `${t.name}_${suffix}`);
    taken.add(`${t.schema}.${name}`);
    return name;
  };
  const statements: SqlText[] = [];
  for (const t of lacking) {
    const existing = snapshot.indexes.find(
      (i) =>
        i.tableSchema === t.schema &&
        i.table === t.name &&
        i.isValid &&
        !i.parentIndex &&
        shapeOf(i) === shapeOf(index) &&
        onParent,
    );
    const tree = partitionTree(snapshot, t.schema, t.name) ?? { table: t, children: [] };
    const steps = existing
      ? []
      : partitionedIndexSteps(tree, {
          name: nameFor,
          create: (table, name, kind) =>
            kind === "only"
              ? index.isUnique
                ? sql`CREATE UNIQUE INDEX ${ident(name)} ON ONLY ${qname(table.schema, table.name)} USING ${using};`
                : sql`CREATE INDEX ${ident(name)} ON ONLY ${qname(table.schema, table.name)} USING ${using};`
              : index.isUnique
                ? sql`CREATE UNIQUE INDEX CONCURRENTLY ${ident(name)} ON ${qname(table.schema, table.name)} USING ${using};`
                : sql`CREATE INDEX CONCURRENTLY ${ident(name)} ON ${qname(table.schema, table.name)} USING ${using};`,
        });
    statements.push(...steps.map((s) => s.sql));
    const built = existing?.name ?? steps[0]?.index;
    if (!built) continue;
    if (onParent) statements.push(attachIndex(index.schema, index.name, t.schema, built));
    else if (index.constraint && t.kind !== "partitioned")
      statements.push(
        sql`ALTER TABLE ${qname(t.schema, t.name)} ADD CONSTRAINT ${ident(built)} ${index.isPrimary ? sql`PRIMARY KEY` : sql`UNIQUE`} USING INDEX ${ident(built)};`,
      );
  }
  return {
    sql: lines(statements),
    note: onParent
      ? `Each partition's index is built CONCURRENTLY (writes go on), then attached to ${index.name}${index.isValid ? "" : ", which becomes valid once every partition's is attached"}. Run the statements one at a time, outside a transaction block.`
      : `Builds the index its siblings have CONCURRENTLY (writes go on); run it outside a transaction block. Made on the parent instead (CREATE INDEX ... ON ONLY ${parent.name}, then ALTER INDEX ... ATTACH PARTITION for each partition's existing index), future partitions would get it too.`,
  };
}
