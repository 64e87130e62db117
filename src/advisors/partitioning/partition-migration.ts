/**
 * The migration to a partitioned table, as SQL dbopt prints (and runs on a sandbox): the new partitioned table
 * shaped like the old one (defaults, checks, generated columns; the keys widened by the partition key), its
 * partitions, the old table's indexes rebuilt on it, the rows copied one partition at a time outside any long
 * transaction, then the newest partition's rows copied and the names swapped in one short transaction that holds
 * writers off. Every name goes through the SQL builder; the whole script is parsed back.
 */
import { deparseSync } from "pgsql-deparser";
import type { PartitionLayout } from "../../rules/architecture/partition-table.js";
import type { PartitionTableFacts } from "../../rules/architecture/partitioning-facts.js";
import { freeName } from "../../util/sql-identifiers.js";
import { tryParseSql } from "../../util/sql-parser.js";
import { checkSql, ident, list, literal, qname, type SqlText, sql, sqlFrom } from "../../util/sql-text.js";

export interface PartitionMigration {
  /** Each step with what it does; `statements` are run in order. */
  steps: Array<{ title: string; statements: SqlText[] }>;
  /** The name the old table keeps after the swap (drop it once the application is checked). */
  oldName: string;
  newName: string;
  /** The serial columns whose sequence ownership the swap hands over. */
  sequences: SequenceColumn[];
  notes: string[];
}

export interface IndexDefinition {
  name: string;
  /** pg_get_indexdef() */
  definition: string;
  isPrimary: boolean;
  constraint: string | null;
}

/** Partition bounds for a range layout: whole intervals from the first row's to one past the last's. */
export function rangeBounds(from: Date, to: Date, interval: "day" | "week" | "month" | "year"): Date[] {
  const start = floorTo(from, interval);
  const bounds = [start];
  let at = start;
  // One partition past the newest rows, so the next interval's rows have a home on the day of the swap.
  const end = addInterval(floorTo(to, interval), interval, 2);
  while (at < end && bounds.length < 2000) {
    at = addInterval(at, interval, 1);
    bounds.push(at);
  }
  return bounds;
}

/** A column whose values come from a sequence: its default's nextval, or an identity. */
export interface SequenceColumn {
  column: string;
  /** The sequence as the default names it (nextval('events_id_seq'::regclass)), or null for an identity. */
  sequence: string | null;
}

/** Foreign keys the table holds (carried over: a partitioned table may reference others) and ones pointing at it. */
export interface TableReferences {
  foreignKeys: Array<{ name: string; definition: string }>;
  /** "schema.table (constraint)" of the foreign keys that reference this table. */
  referencedBy: string[];
}

/** A column as the copy must treat it: generated columns are computed again, GENERATED ALWAYS identities kept. */
export interface CopiedColumn {
  name: string;
  /** 's' for a stored generated column. */
  generated: string;
  /** 'a' GENERATED ALWAYS, 'd' BY DEFAULT, '' none. */
  identity: string;
}

export function partitionMigration(
  t: PartitionTableFacts,
  layout: PartitionLayout,
  indexes: IndexDefinition[],
  sequences: SequenceColumn[] = [],
  references: TableReferences = { foreignKeys: [], referencedBy: [] },
  columns: CopiedColumn[] = [],
  /** Names already used in the table's schema (tables, indexes, sequences): the migration's new names avoid them. */
  existing: Iterable<string> = [],
): PartitionMigration {
  // Names PostgreSQL keeps whole (63 bytes), none equal to another, to the table's own or to one the schema has.
  const taken = new Set([t.table, ...existing]);
  const named = (wanted: string) => {
    const name = freeName(taken, wanted);
    taken.add(name);
    return name;
  };
  const newName = named(`${t.table}_partitioned`);
  const oldName = named(`${t.table}_unpartitioned`);
  const parent = qname(t.schema, newName);
  const old = qname(t.schema, t.table);
  const key = ident(layout.column);
  const notes: string[] = [];
  const create: SqlText[] = [
    sql`CREATE TABLE ${parent} (LIKE ${old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY ${layout.strategy === "range" ? sql`RANGE` : sql`HASH`} (${key});`,
  ];
  for (const u of t.uniqueKeys) {
    const columns = u.columns.includes(layout.column) ? u.columns : [...u.columns, layout.column];
    create.push(
      sql`ALTER TABLE ${parent} ADD ${u.primary ? sql`PRIMARY KEY` : sql`UNIQUE`} (${list(columns.map((c) => ident(c)))});`,
    );
    if (!u.columns.includes(layout.column))
      notes.push(
        `${u.name} (${u.columns.join(", ")}) becomes (${columns.join(", ")}): a partitioned table's keys must contain the partition key.`,
      );
  }
  // Its own foreign keys, as pg_get_constraintdef printed them (LIKE copies none).
  for (const fk of references.foreignKeys)
    create.push(
      sql`ALTER TABLE ${parent} ADD CONSTRAINT ${ident(fk.name)} ${sqlFrom("server", fk.definition)};`,
    );
  if (references.referencedBy.length > 0)
    notes.push(
      `Foreign keys point at this table (${references.referencedBy.join(", ")}): after the swap they still reference the old table, and a key on a partitioned table must hold the partition key, so they must be rebuilt against the new key or dropped; plan that before running this.`,
    );
  notes.push(
    "LIKE copies no grants, owner, triggers or row-level security policies: grant and recreate them on the new table before the swap (psql's \\dp and \\d list them).",
  );
  const partitions: SqlText[] = [];
  const copies: Array<{ name: string; insert: SqlText }> = [];
  // INSERT ... SELECT * fails on a stored generated column ("cannot insert a non-DEFAULT value") and on a
  // GENERATED ALWAYS identity: name the stored columns, and keep the identity's values.
  const stored = columns.filter((c) => c.generated !== "s").map((c) => ident(c.name));
  const always = columns.some((c) => c.identity === "a");
  const explicit = always || stored.length < columns.length;
  const into = explicit
    ? sql`${parent} (${list(stored)})${always ? sql` OVERRIDING SYSTEM VALUE` : sql``}`
    : parent;
  const picked = explicit ? list(stored) : sql`*`;
  if (layout.strategy === "range") {
    // advise-partitioning writes no migration without a span (it notes why): nothing bounds the partitions.
    if (!t.span)
      return { steps: [], oldName, newName, sequences, notes: ["no statistics to bound the partitions by"] };
    const bounds = rangeBounds(new Date(t.span.from), new Date(t.span.to), layout.interval);
    for (let i = 0; i + 1 < bounds.length; i++) {
      const [lo, hi] = [bounds[i] as Date, bounds[i + 1] as Date];
      const name = named(`${t.table}_p${stamp(lo, layout.interval)}`);
      const [a, b] = [literal(lo.toISOString()), literal(hi.toISOString())];
      partitions.push(
        sql`CREATE TABLE ${qname(t.schema, name)} PARTITION OF ${parent} FOR VALUES FROM (${a}) TO (${b});`,
      );
      copies.push({
        name,
        insert: sql`INSERT INTO ${into} SELECT ${picked} FROM ${old} WHERE ${key} >= ${a} AND ${key} < ${b};`,
      });
    }
    const first = literal((bounds[0] as Date).toISOString());
    const last = literal((bounds.at(-1) as Date).toISOString());
    const stray = named(`${t.table}_default`);
    partitions.push(sql`CREATE TABLE ${qname(t.schema, stray)} PARTITION OF ${parent} DEFAULT;`);
    copies.push({
      name: stray,
      insert: sql`INSERT INTO ${into} SELECT ${picked} FROM ${old} WHERE ${key} < ${first} OR ${key} >= ${last} OR ${key} IS NULL;`,
    });
  } else {
    for (let r = 0; r < layout.partitions; r++) {
      const name = named(`${t.table}_p${r}`);
      partitions.push(
        sql`CREATE TABLE ${qname(t.schema, name)} PARTITION OF ${parent} FOR VALUES WITH (MODULUS ${layout.partitions}, REMAINDER ${r});`,
      );
      copies.push({
        name,
        insert: sql`INSERT INTO ${into} SELECT ${picked} FROM ${old} WHERE satisfies_hash_partition(${literal(`${quotedName(t.schema, newName)}`)}::regclass, ${layout.partitions}, ${r}, ${key});`,
      });
    }
  }
  const rebuilt = indexes
    .filter((i) => !i.constraint)
    .flatMap((i) => {
      const def = onNewTable(i.definition, t.schema, newName, layout.column);
      if (def === null) {
        notes.push(`index ${i.name} could not be rebuilt on the partitioned table: create it by hand.`);
        return [];
      }
      return [def];
    });
  // The newest rows (and stray ones) are copied inside the swap, while writers wait: nothing written is missed.
  const last = copies.splice(layout.strategy === "range" ? -3 : copies.length, 3);
  notes.push(
    layout.strategy === "range"
      ? "Rows updated or deleted in an already copied partition while the copy runs are not carried over: append-only tables lose nothing; otherwise pause writes or run the copy again for the partitions changed."
      : "Rows written while the copy runs are not carried over: pause writes for the copy, or copy again the partitions written to.",
  );
  const swap: SqlText[] = [
    sql`BEGIN;`,
    sql`SET LOCAL lock_timeout = '5s';`,
    sql`LOCK TABLE ${old} IN SHARE ROW EXCLUSIVE MODE;`,
    ...last.map((c) => c.insert),
    // An identity starts its own sequence at 1 on the new table: continue it past the rows copied.
    ...sequences
      .filter((s) => s.sequence === null)
      .map(
        (s) =>
          sql`SELECT setval(pg_get_serial_sequence(${literal(String(parent))}, ${literal(s.column)}), (SELECT max(${ident(s.column)}) FROM ${parent}));`,
      ),
    sql`ALTER TABLE ${old} RENAME TO ${ident(oldName)};`,
    sql`ALTER TABLE ${parent} RENAME TO ${ident(t.table)};`,
    // The old table owns the serial's sequence: dropping it later would take the sequence (or fail). Hand it over.
    ...sequences
      .filter((s): s is { column: string; sequence: string } => s.sequence !== null)
      .map(
        (s) =>
          sql`ALTER SEQUENCE ${sqlFrom("server", s.sequence)} OWNED BY ${qname(t.schema, t.table)}.${ident(s.column)};`,
      ),
    sql`COMMIT;`,
  ];
  const steps = [
    { title: `create ${newName}, partitioned by ${layout.strategy} on ${layout.column}`, statements: create },
    { title: `create its ${partitions.length} partitions`, statements: partitions },
    { title: "rebuild the old table's indexes on it", statements: rebuilt },
    { title: "copy the rows, one partition per statement", statements: copies.map((c) => c.insert) },
    { title: "copy the newest rows and swap the names, holding writers off", statements: swap },
  ];
  const all = steps.flatMap((s) => s.statements);
  checkSql(all.join("\n"), all.length);
  return { steps, oldName, newName, sequences, notes };
}

/** An index definition of the old table rebuilt on the partitioned one (its unique keys widened by the key). */
function onNewTable(definition: string, schema: string, table: string, key: string): SqlText | null {
  const tree = tryParseSql(definition);
  const stmt = tree?.stmts?.[0]?.stmt as Record<string, Record<string, unknown>> | undefined;
  const index = stmt?.IndexStmt;
  if (!index) return null;
  index.relation = { ...(index.relation as object), relname: table, schemaname: schema };
  delete index.idxname;
  delete index.concurrent;
  if (index.unique) {
    const params = index.indexParams as Array<{ IndexElem: { name?: string } }>;
    if (!params.some((p) => p.IndexElem.name === key))
      params.push({
        IndexElem: { name: key, ordering: "SORTBY_DEFAULT", nulls_ordering: "SORTBY_NULLS_DEFAULT" },
      } as never);
  }
  return sqlFrom("dbopt", `${deparseSync([{ RawStmt: { stmt } }] as never).replace(/;?\s*$/, "")};`);
}

function quotedName(schema: string, name: string): string {
  return String(qname(schema, name));
}

function floorTo(d: Date, interval: string): Date {
  const u = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  if (interval === "week") u.setUTCDate(u.getUTCDate() - ((u.getUTCDay() + 6) % 7));
  if (interval === "month") u.setUTCDate(1);
  if (interval === "year") u.setUTCMonth(0, 1);
  return u;
}

function addInterval(d: Date, interval: string, n: number): Date {
  const u = new Date(d);
  if (interval === "day") u.setUTCDate(u.getUTCDate() + n);
  if (interval === "week") u.setUTCDate(u.getUTCDate() + 7 * n);
  if (interval === "month") u.setUTCMonth(u.getUTCMonth() + n);
  if (interval === "year") u.setUTCFullYear(u.getUTCFullYear() + n);
  return u;
}

function stamp(d: Date, interval: string): string {
  const iso = d.toISOString();
  return interval === "year"
    ? iso.slice(0, 4)
    : interval === "month"
      ? iso.slice(0, 7).replace("-", "_")
      : iso.slice(0, 10).replace(/-/g, "_");
}
