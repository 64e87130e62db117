/**
 * N realistic value sets for a statement's $n parameters, read from the live database: each parameter compared
 * with a column is drawn from that column's pg_stats (value-draw.ts), or from a TABLESAMPLE of its values when the
 * column has no statistics; a LIMIT takes 20 and an OFFSET 0 (the common page). Every set comes in two forms: text
 * values for a bind array (`dbopt bench` prepares and binds), and SQL literals cast to the column's type (a
 * rewrite proof may inline them). Seeded: the same seed draws the same sets.
 */
import { DbError } from "../../connectors/db-error.js";
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { collectColumnStats } from "../../facts/collect/collect-column-stats.js";
import { type QueryShape, queryShape } from "../../facts/sql/query-shape.js";
import { seededRandom } from "../../util/seeded-random.js";
import { qualifiedName } from "../../util/sql-identifiers.js";
import { byteToCharOffset, scanSql } from "../../util/sql-parser.js";
import { ident, literal, qname, type SqlText, sql, sqlFrom } from "../../util/sql-text.js";
import { highestParameter, schemaResolver } from "../index/workload-query.js";
import { inlineParameters } from "./inline-parameters.js";
import {
  type ParameterColumn,
  type ParameterFacts,
  type ParameterSlot,
  parameterSlots,
} from "./parameter-columns.js";
import { bucketShare, drawRange, type RangePair, rangePairs } from "./range-draw.js";
import { type DrawnValue, drawFromSample, drawFromStatistics, likePattern } from "./value-draw.js";

export interface ParameterSet {
  /** Bind values, $1 first: text, or null for NULL. */
  values: DrawnValue[];
  /** The same values as SQL, cast to each column's type ('42'::integer, NULL::text), $1 first. */
  literals: SqlText[];
}

export interface ParameterSource {
  n: number;
  /** schema.table.column it is compared with, when it is. */
  column: string | null;
  from: "statistics" | "sample" | "limit" | "offset";
}

export interface UnresolvedParameter {
  n: number;
  reason: string;
}

export interface ParameterDraws {
  /** The highest $n. */
  parameters: number;
  /** Empty when some parameter is unresolved. */
  sets: ParameterSet[];
  sources: ParameterSource[];
  unresolved: UnresolvedParameter[];
  /** Ranges whose bounds were drawn together, with the share of the rows each holds. */
  ranges?: Array<RangePair & { share: number; from: "given" | "histogram" }>;
}

export interface DrawOptions {
  sets: number;
  seed: number;
  /** Rows of a column sample when it has no statistics (default 1000). */
  sampleRows?: number;
  /**
   * Draw the lower and upper bounds of a range on one column together (range-draw.ts), the range holding
   * `rowShare` of the rows (one pg_stats histogram bucket when null). Off: each bound is drawn on its own.
   */
  correlatedRanges?: { rowShare: number | null };
}

/** The statement with one set's literals in place of its $n (for a plain run or EXPLAIN). */
export function inlineSet(statement: string, set: ParameterSet): SqlText {
  const values = new Map(set.literals.map((l, i) => [i + 1, String(l)]));
  return sqlFrom("statement", inlineParameters(statement, values) ?? statement);
}

/**
 * inlineSet for many sets, the statement's $n found once (dbopt bench inlines thousands of sets; a scan per set
 * was most of its start-up).
 */
export function inlineSets(statement: string, sets: readonly ParameterSet[]): SqlText[] {
  const params = scanSql(statement)
    .tokens.filter((t) => t.tokenName === "PARAM")
    .map((t) => {
      const start = byteToCharOffset(statement, t.start);
      const end = byteToCharOffset(statement, t.end);
      return { start, end, n: Number(statement.slice(start + 1, end)) };
    });
  return sets.map((set) => {
    let out = "";
    let at = 0;
    for (const p of params) {
      const value = set.literals[p.n - 1];
      // A $n without a value leaves the statement as it is, as inlineSet does.
      if (value === undefined) return sqlFrom("statement", statement);
      out += statement.slice(at, p.start) + value;
      at = p.end;
    }
    return sqlFrom("statement", out + statement.slice(at));
  });
}

export async function drawParameters(
  db: PostgresConnector,
  statement: string,
  options: DrawOptions,
): Promise<ParameterDraws> {
  const parameters = highestParameter(statement);
  if (parameters === 0) return { parameters, sets: [], sources: [], unresolved: [] };
  const facts = await readParameterFacts(db, statement);
  if (facts?.missing.length)
    return {
      parameters,
      sets: [],
      sources: [],
      unresolved: [{ n: 1, reason: `no table ${facts.missing.join(", ")} in this database` }],
    };
  const shape = facts ? queryShape(statement, schemaResolver(facts)) : null;
  if (!facts || !shape)
    return {
      parameters,
      sets: [],
      sources: [],
      unresolved: [{ n: 1, reason: "the statement does not parse as one statement" }],
    };
  return drawFromFacts(db, statement, shape, facts, options);
}

async function drawFromFacts(
  db: PostgresConnector,
  statement: string,
  shape: QueryShape,
  facts: ParameterFacts,
  options: DrawOptions,
): Promise<ParameterDraws> {
  const parameters = highestParameter(statement);
  const slots = new Map(parameterSlots(shape, facts).map((s) => [s.n, s]));
  const sources: ParameterSource[] = [];
  const unresolved: UnresolvedParameter[] = [];
  const draws: Array<(random: () => number) => DrawnValue> = [];
  const casts: string[] = [];
  for (let n = 1; n <= parameters; n++) {
    const slot = slots.get(n);
    const plan = slot ? await drawPlan(db, slot, options) : null;
    if (!plan || "reason" in plan) {
      unresolved.push({
        n,
        reason: plan?.reason ?? "it is not compared with a column (in a select list, or unused)",
      });
      continue;
    }
    sources.push(plan.source);
    draws.push(plan.draw);
    casts.push(plan.cast);
  }
  if (unresolved.length) return { parameters, sets: [], sources, unresolved };
  const ranges = options.correlatedRanges ? correlate(slots, draws, options.correlatedRanges.rowShare) : [];
  const random = seededRandom(options.seed);
  const sets: ParameterSet[] = [];
  for (let i = 0; i < options.sets; i++) {
    const values = draws.map((draw) => draw(random));
    const literals = values.map((v, k) => {
      const cast = sqlFrom("server", casts[k] as string);
      return v === null ? sql`NULL::${cast}` : sql`${literal(v)}::${cast}`;
    });
    sets.push({ values, literals });
  }
  return { parameters, sets, sources, unresolved, ...(ranges.length ? { ranges } : {}) };
}

/**
 * Replace the draws of each range's two bounds by one joint draw: the first of the two parameters draws the pair
 * (from the same random stream, so a set is still drawn one parameter at a time in order) and the other returns
 * its part.
 */
function correlate(
  slots: Map<number, ParameterSlot>,
  draws: Array<(random: () => number) => DrawnValue>,
  rowShare: number | null,
): NonNullable<ParameterDraws["ranges"]> {
  const out: NonNullable<ParameterDraws["ranges"]> = [];
  for (const pair of rangePairs([...slots.values()])) {
    const low = slots.get(pair.lower);
    const stats = low?.stats;
    const type = low?.column?.type;
    if (!stats || !type) continue;
    const share = rowShare ?? bucketShare(stats);
    if (share === null || drawRange(stats, type, share, seededRandom(1)) === null) continue;
    let drawn: [string, string] | null = null;
    const first = Math.min(pair.lower, pair.upper);
    const part = (n: number): DrawnValue => (drawn ? drawn[n === pair.lower ? 0 : 1] : null);
    draws[first - 1] = (random) => {
      drawn = drawRange(stats, type, share, random);
      return part(first);
    };
    const second = Math.max(pair.lower, pair.upper);
    draws[second - 1] = () => part(second);
    out.push({ ...pair, share, from: rowShare === null ? "histogram" : "given" });
  }
  return out;
}

type DrawPlan =
  | { source: ParameterSource; cast: string; draw: (random: () => number) => DrawnValue }
  | { reason: string };

async function drawPlan(db: PostgresConnector, slot: ParameterSlot, options: DrawOptions): Promise<DrawPlan> {
  const { n } = slot;
  if (slot.role === "limit")
    return { source: { n, column: null, from: "limit" }, cast: "bigint", draw: () => "20" };
  if (slot.role === "offset")
    return { source: { n, column: null, from: "offset" }, cast: "bigint", draw: () => "0" };
  if (slot.role === "value") return { reason: "it is a value written, not compared with a column" };
  const column = slot.column;
  const use = slot.use;
  if (!use || !column)
    return {
      reason: "it is compared with an expression or a column dbopt could not find, not a plain column",
    };
  const name = `${column.schema}.${column.table}.${column.name}`;
  const like = use.kind === "like";
  const cast = like ? "text" : column.type;
  const shaped = (v: DrawnValue) => (like && v !== null ? likePattern(v) : v);
  const stats = slot.stats;
  if (stats && drawFromStatistics(stats, column.type, seededRandom(1), false) !== undefined)
    return {
      source: { n, column: name, from: "statistics" },
      cast,
      draw: (random) => shaped(drawFromStatistics(stats, column.type, random, false) ?? null),
    };
  let sample: string[];
  try {
    sample = await sampleColumn(db, column, options.sampleRows ?? 1000, options.seed);
  } catch (error) {
    // A view (TABLESAMPLE refuses it) or a column this role may not read: this parameter is left unresolved.
    if (error instanceof DbError && error.isConnectionError) throw error;
    return {
      reason: `${name} has no statistics and its values could not be sampled (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  if (sample.length === 0) return { reason: `${name} has no statistics and no values to sample` };
  return {
    source: { n, column: name, from: "sample" },
    cast,
    draw: (random) => shaped(drawFromSample(sample, random) ?? null),
  };
}

/** Values of a column without statistics: TABLESAMPLE SYSTEM of about `rows` rows (whole table when small). */
async function sampleColumn(
  db: PostgresConnector,
  column: ParameterColumn,
  rows: number,
  seed: number,
): Promise<string[]> {
  const estimate = await db.query<{ reltuples: number }>(
    "select greatest(c.reltuples, 0)::float8 as reltuples from pg_class c where c.oid = to_regclass($1)",
    [qualifiedName(column.schema, column.table)],
  );
  const tuples = Number(estimate[0]?.reltuples ?? 0);
  const percent = tuples > rows ? Math.max(0.01, Math.min(100, (100 * rows * 2) / tuples)) : 100;
  const read = (sampled: boolean) =>
    db.query<{ v: string }>(
      sql`select ${ident(column.name)}::text as v from ${qname(column.schema, column.table)}${
        sampled ? sql` tablesample system (${percent}) repeatable (${seed % 2147483647})` : sql``
      } where ${ident(column.name)} is not null limit ${rows}`,
    );
  const sampled = await read(true);
  return (sampled.length ? sampled : await read(false)).map((r) => r.v);
}

/**
 * The tables a statement names, with their columns' types, and pg_stats of the columns its parameters are
 * compared with, and the names it uses that are no table here (CTEs are not tables). Null when it does not parse
 * as one statement.
 */
export async function readParameterFacts(
  db: PostgresConnector,
  statement: string,
): Promise<(ParameterFacts & { missing: string[] }) | null> {
  const first = queryShape(statement, () => null);
  if (!first) return null;
  const names = [
    ...new Set([
      ...first.blocks.flatMap((b) => b.tables.map((t) => qualifiedName(t.schema, t.name))),
      ...(first.written ? [qualifiedName(first.written.schema, first.written.name)] : []),
    ]),
  ];
  const found = await db.query<{ q: string }>(
    "select w.q from unnest($1::text[]) w(q) where to_regclass(w.q) is not null",
    [names],
  );
  const missing = names.filter((n) => !found.some((f) => f.q === n));
  const rows = await db.query<{ schema: string; name: string; column: string; type: string }>(
    `select n.nspname as schema, c.relname as name, a.attname as column, format_type(a.atttypid, a.atttypmod) as type
       from unnest($1::text[]) w(q)
       join pg_class c on c.oid = to_regclass(w.q)
       join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      order by c.oid, a.attnum`,
    [names],
  );
  const tables = new Map<
    string,
    { schema: string; name: string; columns: Array<{ name: string; type: string }> }
  >();
  for (const r of rows) {
    const key = `${r.schema}.${r.name}`;
    const table = tables.get(key) ?? { schema: r.schema, name: r.name, columns: [] };
    table.columns.push({ name: r.column, type: r.type });
    tables.set(key, table);
  }
  const withoutStats: ParameterFacts = { tables: [...tables.values()], columnStats: [] };
  const shape = queryShape(statement, schemaResolver(withoutStats));
  const wanted = shape
    ? parameterSlots(shape, withoutStats).flatMap((s) =>
        s.column ? [{ schema: s.column.schema, table: s.column.table, column: s.column.name }] : [],
      )
    : [];
  return { tables: withoutStats.tables, columnStats: await collectColumnStats(db, wanted), missing };
}
