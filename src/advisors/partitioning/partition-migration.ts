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
import {
  checkSql,
  ident,
  list,
  literal,
  type SqlText,
  schemaQualified,
  sql,
  sqlFrom,
} from "../../util/sql-text.js";

export interface PartitionMigration {
  /** Each step with what it does; `statements` are run in order. */
  steps: Array<{ title: string; statements: SqlText[] }>;
  /** The name the old table keeps after the swap (drop it once the application is checked). */
  oldName: string;
  newName: string;
  /** The serial columns whose sequence ownership the swap hands over. */
  sequences: SequenceColumn[];
  /** CREATE OR REPLACE VIEW of each view reading the table, run in the swap (and again by a sandbox's undo). */
  views: SqlText[];
  notes: string[];
}

export interface IndexDefinition {
  name: string;
  /** pg_get_indexdef() */
  definition: string;
  isPrimary: boolean;
  constraint: string | null;
}

/**
 * Partitions created past the newest row's interval: rows arriving after the swap find their partition until a
 * scheduled job (or pg_partman) creates the next ones. Rows landing in DEFAULT instead would block creating them.
 */
export const PARTITIONS_AHEAD = { day: 14, week: 8, month: 4, year: 2 } as const;

/** Partition bounds for a range layout: whole intervals from the first row's to PARTITIONS_AHEAD past the last's. */
export function rangeBounds(from: Date, to: Date, interval: "day" | "week" | "month" | "year"): Date[] {
  const start = floorTo(from, interval);
  const bounds = [start];
  let at = start;
  const end = addInterval(floorTo(to, interval), interval, 1 + PARTITIONS_AHEAD[interval]);
  while (at < end && bounds.length < 2000) {
    at = addInterval(at, interval, 1);
    bounds.push(at);
  }
  return bounds;
}

/** A column whose values come from a sequence: its default's nextval, or an identity. */
export interface SequenceColumn {
  column: string;
  /** The sequence its default's nextval reads, schema-qualified and quoted, or null for an identity. */
  sequence: string | null;
  /**
   * Whether this column owns the sequence (pg_depend deptype 'a': a serial, or OWNED BY): only then does the swap
   * hand it to the new table. A shared or free-standing sequence keeps its owner (or none).
   */
  owned: boolean;
}

/** An object that reads the table by OID and so would follow the old table through the swap (pg_depend). */
export interface DependentObject {
  kind: "view" | "materialized view" | "rule" | "function" | "policy";
  /** Qualified and quoted (a view, a materialized view), or "rule on table", a function's signature. */
  name: string;
  /** A view's query, pg_get_viewdef printed with every name qualified; null for the others. */
  definition: string | null;
  /** A view's reloptions (security_barrier=true, check_option=local): CREATE OR REPLACE VIEW would drop them. */
  options: string[];
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
  dependents: DependentObject[] = [],
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
  // Always schema-qualified: an unqualified CREATE TABLE lands in the search_path's first schema, not the table's.
  const parent = schemaQualified(t.schema, newName);
  const old = schemaQualified(t.schema, t.table);
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
      return {
        steps: [],
        oldName,
        newName,
        sequences,
        views: [],
        notes: ["no statistics to bound the partitions by"],
      };
    const bounds = rangeBounds(new Date(t.span.from), new Date(t.span.to), layout.interval);
    for (let i = 0; i + 1 < bounds.length; i++) {
      const [lo, hi] = [bounds[i] as Date, bounds[i + 1] as Date];
      const name = named(`${t.table}_p${stamp(lo, layout.interval)}`);
      const [a, b] = [literal(lo.toISOString()), literal(hi.toISOString())];
      partitions.push(
        sql`CREATE TABLE ${schemaQualified(t.schema, name)} PARTITION OF ${parent} FOR VALUES FROM (${a}) TO (${b});`,
      );
      copies.push({
        name,
        insert: sql`INSERT INTO ${into} SELECT ${picked} FROM ${old} WHERE ${key} >= ${a} AND ${key} < ${b};`,
      });
    }
    const end = bounds.at(-1) as Date;
    const next = addInterval(end, layout.interval, 1);
    const template = sql`CREATE TABLE ${schemaQualified(t.schema, `${t.table}_p${stamp(end, layout.interval)}`)} PARTITION OF ${schemaQualified(t.schema, t.table)} FOR VALUES FROM (${literal(end.toISOString())}) TO (${literal(next.toISOString())});`;
    const partman = sql`SELECT partman.create_parent(p_parent_table := ${literal(`${t.schema}.${t.table}`)}, p_control := ${literal(layout.column)}, p_interval := ${literal(`1 ${layout.interval}`)}, p_premake := ${PARTITIONS_AHEAD[layout.interval]});`;
    checkSql(`${template}\n${partman}`, 2);
    notes.push(
      `Partitions are created up to ${end.toISOString().slice(0, 10)} (${PARTITIONS_AHEAD[layout.interval]} ${layout.interval}s past the newest row): the next ones must be created ahead of the rows, by a scheduled job or by pg_partman. The next one, as a template: ${template} With pg_partman 5 (after the swap): ${partman} Rows that arrive with no partition go to the DEFAULT partition, and while it holds rows of an interval, creating that interval's partition fails ("updated partition constraint for default partition would be violated"): move them out first.`,
    );
    const first = literal((bounds[0] as Date).toISOString());
    const last = literal((bounds.at(-1) as Date).toISOString());
    const stray = named(`${t.table}_default`);
    partitions.push(sql`CREATE TABLE ${schemaQualified(t.schema, stray)} PARTITION OF ${parent} DEFAULT;`);
    copies.push({
      name: stray,
      insert: sql`INSERT INTO ${into} SELECT ${picked} FROM ${old} WHERE ${key} < ${first} OR ${key} >= ${last} OR ${key} IS NULL;`,
    });
  } else {
    for (let r = 0; r < layout.partitions; r++) {
      const name = named(`${t.table}_p${r}`);
      partitions.push(
        sql`CREATE TABLE ${schemaQualified(t.schema, name)} PARTITION OF ${parent} FOR VALUES WITH (MODULUS ${layout.partitions}, REMAINDER ${r});`,
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
  const owned = sequences.filter(
    (s): s is SequenceColumn & { sequence: string } => s.sequence !== null && s.owned,
  );
  for (const s of sequences.filter((x) => x.sequence !== null && !x.owned))
    notes.push(
      `${s.column} takes its values from ${s.sequence}, which this table does not own (shared, or owned by nothing): the new table's default reads the same sequence, and its ownership is left as it is.`,
    );
  const views = dependents
    .filter((d): d is DependentObject & { definition: string } => d.kind === "view" && d.definition !== null)
    .map(
      (d) =>
        sql`CREATE OR REPLACE VIEW ${sqlFrom("server", d.name)}${d.options.length > 0 ? sql` WITH (${sqlFrom("server", d.options.join(", "))})` : sql``} AS ${sqlFrom("server", d.definition.replace(/;?\s*$/, ""))};`,
    );
  if (views.length > 0)
    notes.push(
      `The views reading ${t.table} (${dependents
        .filter((d) => d.kind === "view")
        .map((d) => d.name)
        .join(
          ", ",
        )}) are replaced in the swap with their own query, so they read the partitioned table; the new table has the old one's columns, so their columns do not change.`,
    );
  notes.push(...dependents.filter((d) => d.kind !== "view").map((d) => dependentNote(d, t.table, oldName)));
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
    // The application's name keeps a table through the swap (the partitioned one takes it in the same transaction),
    // so migration/rename's warning about code still using the old name does not apply to these two.
    sql`-- dbopt-ignore: migration/rename
ALTER TABLE ${old} RENAME TO ${ident(oldName)};`,
    sql`-- dbopt-ignore: migration/rename
ALTER TABLE ${parent} RENAME TO ${ident(t.table)};`,
    // The old table owns the serial's sequence: dropping it later would take the sequence (or fail). Hand it over.
    ...owned.map(
      (s) =>
        sql`ALTER SEQUENCE ${sqlFrom("server", s.sequence)} OWNED BY ${schemaQualified(t.schema, t.table)}.${ident(s.column)};`,
    ),
    // Views read the old table by OID: replaced with their own query, they read the new table from the swap on.
    ...views,
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
  return { steps, oldName, newName, sequences, views, notes };
}

/** What to do about an object the swap leaves reading the old table. */
function dependentNote(d: DependentObject, table: string, oldName: string): string {
  const after = `after the swap it still reads ${oldName}, which receives no more writes`;
  switch (d.kind) {
    case "materialized view":
      return `Materialized view ${d.name} reads ${table}: ${after}; recreate it after the swap (DROP MATERIALIZED VIEW, then CREATE MATERIALIZED VIEW with its query from pg_get_viewdef).`;
    case "function":
      return `Function ${d.name} has a SQL-standard body (BEGIN ATOMIC or RETURN) reading ${table}: ${after}; run its CREATE OR REPLACE FUNCTION again after the swap (pg_get_functiondef prints it).`;
    case "rule":
      return `Rule ${d.name} reads ${table}: ${after}; recreate it after the swap (pg_get_ruledef prints it).`;
    default:
      return `Policy ${d.name} reads ${table}: ${after}; recreate it after the swap (pg_policies shows its expression).`;
  }
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
  return String(schemaQualified(schema, name));
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
