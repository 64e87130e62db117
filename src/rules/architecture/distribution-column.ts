import type { Finding } from "../../findings/finding.js";
import { formatCount, formatMs, formatPercent, oneLine, round3 } from "../../util/format.js";
import { literal, qname, type SqlText, sql, lines as sqlLines } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { DistributionFacts, DistributionStatement, DistributionTable } from "./distribution-facts.js";

type Options = { minDistributedRows: number; referenceMaxRows: number; referenceMaxWriteShare: number };

/** One candidate: the columns joined to one another across the workload, at most one per table. */
export interface DistributionCandidate {
  /** schema.table → its column in the class (the distribution column it would get). */
  columns: Map<string, string>;
  /** The column of the largest table: the name the candidate goes by. */
  label: { table: string; column: string };
}

export interface Routing {
  single: boolean;
  reason: string;
}

export interface CandidateResult {
  candidate: DistributionCandidate;
  distributed: DistributionTable[];
  reference: DistributionTable[];
  routing: Array<{ statement: DistributionStatement; routing: Routing }>;
  singleTimeShare: number;
  singleCallShare: number;
}

/**
 * Citus (distributed PostgreSQL): the distribution column that lets the most statement time run on one shard.
 * Columns joined to one another, and same-named columns that are no table's own key, form a candidate; the tables holding one of its columns are distributed on it
 * and colocated, small rarely-written tables the workload reads become reference tables (a copy on every node),
 * and a statement routes to a single shard when every distributed table it reads is pinned to one value of the
 * column: filtered by equality on it, or joined on it to a table that is. Analysis only: no Citus runs here.
 */
export const distributionColumn: Rule<DistributionFacts, Options> = {
  id: "architecture/distribution-column",
  family: "architecture",
  title: "Distribution column for a distributed PostgreSQL (Citus)",
  description:
    "From the workload's join graph and equality filters: the distribution column under which the most statement time routes to a single shard, the tables to colocate on it, the small dimensions to make reference tables, and the statements that would stay multi-shard with why.",
  maxSeverity: "info",
  docsUrl: "https://www.postgresql.org/docs/current/ddl-partitioning.html",
  options: {
    minDistributedRows: {
      default: 1_000_000,
      description:
        "rows the largest table on a candidate column must have for sharding to be worth proposing",
    },
    referenceMaxRows: {
      default: 100_000,
      description: "rows up to which a table the workload reads may become a reference table",
    },
    referenceMaxWriteShare: {
      default: 0.05,
      description:
        "share of a table's statement calls that write it, up to which it may become a reference table",
    },
  },
  check(facts, o) {
    const results = candidatesOf(facts)
      .map((c) => evaluate(facts, c, o))
      .filter((r) => r.distributed.some((t) => t.rows >= o.minDistributedRows))
      .sort((a, b) => b.singleTimeShare - a.singleTimeShare || b.singleCallShare - a.singleCallShare);
    const best = results[0];
    if (!best) return [];
    return [findingOf(this, best, results.slice(1))];
  },
};

/** Candidates from the equi-joins (union of joined columns) and equality filters of every statement. */
function candidatesOf(facts: DistributionFacts): DistributionCandidate[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    const p = parent.get(x) ?? x;
    if (p === x) return x;
    const root = find(p);
    parent.set(x, root);
    return root;
  };
  const key = (table: string, column: string) => `${table}\u0000${column}`;
  const weight = new Map<string, number>();
  for (const s of facts.statements) {
    const use = (ref: number, column: string) => {
      const k = key(s.refs[ref] as string, column);
      if (!parent.has(k)) parent.set(k, k);
      weight.set(k, (weight.get(k) ?? 0) + s.totalMs + 1e-9 * s.calls);
      return k;
    };
    for (const e of s.equalities) use(e.ref, e.column);
    for (const [a, b] of s.joins) {
      const ra = find(use(a.ref, a.column));
      const rb = find(use(b.ref, b.column));
      if (ra !== rb) parent.set(ra, rb);
    }
  }
  // Tables holding a used column under the same name share its values (tenant_id everywhere), unless it numbers
  // the table's own rows: a key on its own, or a key's column after the first (id in primary key (tenant_id, id)).
  const ownKey = (t: DistributionTable | undefined, column: string) =>
    t?.uniqueKeys.some(
      (k) => (k.columns.length === 1 && k.columns[0] === column) || k.columns.indexOf(column) > 0,
    ) ?? true;
  const read = facts.tables.filter((t) => facts.statements.some((s) => s.refs.includes(t.name)));
  for (const k of [...parent.keys()]) {
    const [table, column] = k.split("\u0000") as [string, string];
    if (
      ownKey(
        facts.tables.find((t) => t.name === table),
        column,
      )
    )
      continue;
    for (const t of read)
      if (t.columns.includes(column) && !ownKey(t, column)) {
        const other = key(t.name, column);
        if (!parent.has(other)) parent.set(other, other);
        const [ra, rb] = [find(k), find(other)];
        if (ra !== rb) parent.set(ra, rb);
      }
  }
  const classes = new Map<string, string[]>();
  for (const k of parent.keys()) classes.set(find(k), [...(classes.get(find(k)) ?? []), k]);
  const rows = new Map(facts.tables.map((t) => [t.name, t.rows]));
  return [...classes.values()].map((members) => {
    // A table with two columns in one class (a self-join on parent_id = id) keeps its most used one.
    const columns = new Map<string, string>();
    for (const k of [...members].sort((a, b) => (weight.get(b) ?? 0) - (weight.get(a) ?? 0))) {
      const [table, column] = k.split("\u0000") as [string, string];
      if (!columns.has(table)) columns.set(table, column);
    }
    const largest = [...columns.keys()].sort((a, b) => (rows.get(b) ?? 0) - (rows.get(a) ?? 0))[0] as string;
    return { columns, label: { table: largest, column: columns.get(largest) as string } };
  });
}

/** The tables, reference tables and each statement's routing under one candidate. */
export function evaluate(
  facts: DistributionFacts,
  candidate: DistributionCandidate,
  o: Pick<Options, "referenceMaxRows" | "referenceMaxWriteShare">,
): CandidateResult {
  const calls = new Map<string, { all: number; writes: number }>();
  for (const s of facts.statements)
    for (const t of new Set(s.refs)) {
      const c = calls.get(t) ?? { all: 0, writes: 0 };
      c.all += s.calls;
      if (s.written !== null && s.refs[s.written] === t) c.writes += s.calls;
      calls.set(t, c);
    }
  const distributed = referencedFirst(
    facts.tables
      .filter((t) => candidate.columns.has(t.name))
      .sort((a, b) => b.rows - a.rows || a.name.localeCompare(b.name)),
  );
  const reference = facts.tables
    .filter((t) => {
      const c = calls.get(t.name);
      return (
        !candidate.columns.has(t.name) &&
        c !== undefined &&
        t.rows <= o.referenceMaxRows &&
        c.writes <= o.referenceMaxWriteShare * c.all
      );
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const referenceNames = new Set(reference.map((t) => t.name));
  const routing = facts.statements.map((statement) => ({
    statement,
    routing: routeOf(statement, candidate, referenceNames),
  }));
  const sum = (f: (s: DistributionStatement) => number, only: boolean) =>
    routing.filter((r) => !only || r.routing.single).reduce((n, r) => n + f(r.statement), 0);
  const share = (f: (s: DistributionStatement) => number) => sum(f, true) / Math.max(1e-9, sum(f, false));
  return {
    candidate,
    distributed,
    reference,
    routing,
    singleTimeShare: share((s) => s.totalMs),
    singleCallShare: share((s) => s.calls),
  };
}

/** Largest first, except that a table comes after the tables its foreign keys point at (Citus distributes those
 *  first); a cycle keeps the size order. */
function referencedFirst(tables: DistributionTable[]): DistributionTable[] {
  const names = new Set(tables.map((t) => t.name));
  const out: DistributionTable[] = [];
  const left = [...tables];
  while (left.length > 0) {
    const ready = left.findIndex((t) =>
      t.foreignKeys.every(
        (k) =>
          k.references === t.name || !names.has(k.references) || out.some((o) => o.name === k.references),
      ),
    );
    out.push(...left.splice(Math.max(0, ready), 1));
  }
  return out;
}

/** Foreign keys Citus refuses under this layout: between distributed tables without the distribution column on
 *  both sides, or from a distributed or reference table to a table that is neither, or from a reference table to a
 *  distributed one. */
function refusedForeignKeys(
  result: Pick<CandidateResult, "candidate" | "distributed" | "reference">,
): string[] {
  const distributed = new Set(result.distributed.map((t) => t.name));
  const reference = new Set(result.reference.map((t) => t.name));
  return [...result.distributed, ...result.reference].flatMap((t) =>
    t.foreignKeys
      .filter((k) => {
        if (reference.has(t.name)) return !reference.has(k.references);
        if (distributed.has(k.references))
          return !k.columns.includes(result.candidate.columns.get(t.name) as string);
        return !reference.has(k.references);
      })
      .map((k) => `${t.name} ${k.name} (${k.columns.join(", ")}) → ${k.references}`),
  );
}

/** Whether every distributed table the statement reads is pinned to one value of the distribution column. */
function routeOf(
  s: DistributionStatement,
  candidate: DistributionCandidate,
  reference: Set<string>,
): Routing {
  const column = (ref: number) => candidate.columns.get(s.refs[ref] as string);
  const other = s.refs.find((t) => !candidate.columns.has(t) && !reference.has(t));
  if (other)
    return { single: false, reason: `reads ${other}, which has no column joined to ${labelOf(candidate)}` };
  if (s.written !== null && reference.has(s.refs[s.written] as string))
    return { single: false, reason: `writes reference table ${s.refs[s.written]}, copied on every node` };
  const dist = s.refs.map((_, i) => i).filter((i) => column(i) !== undefined);
  if (dist.length === 0) return { single: true, reason: "reads only reference tables" };
  const pinned = new Set<number>();
  for (const e of s.equalities) if (column(e.ref) === e.column) pinned.add(e.ref);
  if (
    s.insert &&
    column(s.insert.ref) !== undefined &&
    s.insert.columns.includes(column(s.insert.ref) as string)
  )
    pinned.add(s.insert.ref);
  const onKey = s.joins.filter(([a, b]) => column(a.ref) === a.column && column(b.ref) === b.column);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [a, b] of onKey)
      if (pinned.has(a.ref) !== pinned.has(b.ref)) {
        pinned.add(a.ref);
        pinned.add(b.ref);
        grew = true;
      }
  }
  const loose = dist.find((i) => !pinned.has(i));
  if (loose === undefined) return { single: true, reason: `filtered on ${labelOf(candidate)}` };
  const table = s.refs[loose] as string;
  const offKey = s.joins.find(
    ([a, b]) =>
      (a.ref === loose && a.column !== column(loose)) || (b.ref === loose && b.column !== column(loose)),
  );
  if (offKey) {
    const [a, b] = offKey;
    return {
      single: false,
      reason: `joins ${s.refs[a.ref]}.${a.column} = ${s.refs[b.ref]}.${b.column}, not on the distribution column`,
    };
  }
  return {
    single: false,
    reason: `no equality filter on ${table}.${column(loose)}${onKey.length > 0 ? " (its colocated joins run on every shard)" : ""}`,
  };
}

function labelOf(c: DistributionCandidate): string {
  return `${c.label.table}.${c.label.column}`;
}

/** The Citus calls: reference tables first (a distributed table's foreign keys may point at them), then the
 *  distributed tables (referenced ones first), each colocated with the first. Citus looks the column up by its exact name (no case
 *  folding), so it is given as a plain string constant. */
function citusSql(result: Pick<CandidateResult, "candidate" | "distributed" | "reference">): SqlText {
  const [anchor, ...rest] = result.distributed;
  const regclass = (t: DistributionTable) => literal(String(qname(t.schema, t.table)));
  const column = (t: DistributionTable) => literal(result.candidate.columns.get(t.name) as string);
  return sqlLines([
    ...result.reference.map((t) => sql`SELECT create_reference_table(${regclass(t)});`),
    anchor ? sql`SELECT create_distributed_table(${regclass(anchor)}, ${column(anchor)});` : null,
    ...rest.map(
      (t) =>
        sql`SELECT create_distributed_table(${regclass(t)}, ${column(t)}, colocate_with => ${regclass(anchor as DistributionTable)});`,
    ),
  ]);
}

function findingOf(
  rule: { id: string; docsUrl: string },
  best: CandidateResult,
  others: CandidateResult[],
): Finding {
  const label = labelOf(best.candidate);
  const multi = best.routing
    .filter((r) => !r.routing.single)
    .sort((a, b) => b.statement.totalMs - a.statement.totalMs);
  const ms = (list: typeof best.routing) => list.reduce((n, r) => n + r.statement.totalMs, 0);
  const missingKey = best.distributed.flatMap((t) =>
    t.uniqueKeys
      .filter((k) => !k.columns.includes(best.candidate.columns.get(t.name) as string))
      .map((k) => `${t.name} ${k.name} (${k.columns.join(", ")})`),
  );
  const refusedKeys = refusedForeignKeys(best);
  const detail = [
    `Distributing on ${label} routes ${formatPercent(best.singleTimeShare)} of the statement time and ${formatPercent(best.singleCallShare)} of the calls to a single shard.`,
    `Distributed and colocated: ${best.distributed.map((t) => `${t.name} (${best.candidate.columns.get(t.name)}, ${formatCount(t.rows)} rows)`).join(", ")}.`,
    best.reference.length > 0
      ? `Reference tables (small, rarely written, a copy on every node): ${best.reference.map((t) => `${t.name} (${formatCount(t.rows)} rows)`).join(", ")}.`
      : "",
    multi.length > 0
      ? `${multi.length} statement${multi.length === 1 ? "" : "s"} (${formatMs(ms(multi))}) would run on every shard: ${multi
          .slice(0, 5)
          .map(
            (r) =>
              `${oneLine(r.statement.query, 60)} (${formatMs(r.statement.totalMs)}): ${r.routing.reason}`,
          )
          .join("; ")}.`
      : "",
    missingKey.length > 0
      ? `Citus needs the distribution column in every primary key and unique constraint; these lack it: ${missingKey.join("; ")}.`
      : "",
    refusedKeys.length > 0
      ? `Foreign keys Citus refuses under this layout (between distributed tables they must include the distribution column; a reference table may only point at reference tables): ${refusedKeys.join("; ")}.`
      : "",
    others.length > 0
      ? `Other candidates: ${others
          .slice(0, 4)
          .map((r) => `${labelOf(r.candidate)} ${formatPercent(r.singleTimeShare)} of the time`)
          .join(", ")}.`
      : "",
  ].filter(Boolean);
  const runnerUp = others[0];
  return {
    ruleId: rule.id,
    severity: "info",
    title: `distribute on ${label}: ${formatPercent(best.singleTimeShare)} of the statement time would route to a single shard`,
    detail: detail.join(" "),
    evidence: {
      table: best.candidate.label.table,
      column: best.candidate.label.column,
      singleShardTimeShare: round3(best.singleTimeShare),
      singleShardCallShare: round3(best.singleCallShare),
      distributedTables: best.distributed.length,
      referenceTables: best.reference.length,
      multiShardStatements: multi.length,
      multiShardMs: round3(ms(multi)),
      uniqueKeysWithoutColumn: missingKey.length,
      refusedForeignKeys: refusedKeys.length,
      runnerUp: runnerUp ? labelOf(runnerUp.candidate) : null,
      runnerUpTimeShare: runnerUp ? round3(runnerUp.singleTimeShare) : null,
    },
    fix: {
      sql: citusSql(best),
      note: `On a Citus cluster (analysis only: dbopt has not run it). Reference tables first, then each distributed table after the tables its foreign keys point at. Add ${label} to the primary keys, unique constraints and foreign keys that lack it first, and make the statements listed as multi-shard filter on it where the application knows the value.`,
    },
    docsUrl: rule.docsUrl,
    impact: ms(best.routing) - ms(multi),
    timeMs: ms(best.routing) - ms(multi),
    objects: [...best.distributed, ...best.reference].map((t) => t.name),
  };
}
