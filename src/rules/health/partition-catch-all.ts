import type { Snapshot, TableFacts } from "../../facts/snapshot.js";
import { tableObject } from "../../facts/snapshot-accessors.js";
import type { Finding, Fix } from "../../findings/finding.js";
import { formatCount, formatPercent } from "../../util/format.js";
import { comment, ident, lines, list, literal, qname, type SqlText, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";
import { freeRelationName } from "./index-fix-suggestion.js";

type Options = { maxShare: number; minRows: number; maxNewPartitions: number };

/** A bound value as pg_get_expr prints it, unquoted: '2024-01-01' → 2024-01-01; MINVALUE and MAXVALUE kept. */
function boundValue(text: string): string {
  const t = text.trim();
  return t.startsWith("'") && t.endsWith("'") ? t.slice(1, -1).replace(/''/g, "'") : t;
}

/** FOR VALUES FROM (a) TO (b) of a one-column range partition; "default" for DEFAULT; null otherwise. */
export function rangeBound(
  bound: string | null | undefined,
): { from: string; to: string } | "default" | null {
  if (!bound) return null;
  if (bound === "DEFAULT") return "default";
  // One value on each side: a quoted constant (which may hold commas and parentheses) or a bare token.
  const value = "('(?:[^']|'')*'|[^,()']+)";
  const m = new RegExp(String.raw`^FOR VALUES FROM \(${value}\) TO \(${value}\)$`).exec(bound);
  return m ? { from: boundValue(m[1] as string), to: boundValue(m[2] as string) } : null;
}

type KeyKind = "date" | "timestamp" | "integer";

function keyKind(type: string | undefined): KeyKind | null {
  if (type === "date") return "date";
  if (type === "timestamp without time zone") return "timestamp";
  if (type === "integer" || type === "bigint" || type === "smallint") return "integer";
  return null;
}

/** A key value as a number on one axis: days since 1970 for dates and timestamps (whole days), the number itself. */
function position(kind: KeyKind, value: string): number | null {
  if (kind === "integer") return /^-?\d+$/.test(value) ? Number(value) : null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}(?:\.\d+)?))?$/.exec(value);
  if (!m) return null;
  const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000;
  const seconds = m[4] ? Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]) : 0;
  return day + seconds / 86_400;
}

/** A step between bounds: whole months when both bounds are the first of a month, else days (or units). */
type Step = { months: number } | { units: number };

function stepOf(kind: KeyKind, from: string, to: string): Step | null {
  const a = position(kind, from);
  const b = position(kind, to);
  if (a === null || b === null || b <= a) return null;
  if (kind !== "integer" && /-01( 00:00:00)?$/.test(from) && /-01( 00:00:00)?$/.test(to)) {
    const [fy, fm] = from.split("-").map(Number) as [number, number];
    const [ty, tm] = to.split("-").map(Number) as [number, number];
    return { months: (ty - fy) * 12 + (tm - fm) };
  }
  return { units: b - a };
}

/** The bound k steps after the anchor, as the key's text. */
function boundAt(kind: KeyKind, anchor: string, step: Step, k: number): string {
  if (kind === "integer") return String(Number(anchor) + k * (step as { units: number }).units);
  const base = position(kind, anchor) as number;
  let date: Date;
  if ("months" in step) {
    const d = new Date(base * 86_400_000);
    date = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k * step.months, d.getUTCDate()));
  } else date = new Date((base + k * step.units) * 86_400_000);
  const day = date.toISOString().slice(0, 10);
  return kind === "timestamp" ? `${day} 00:00:00` : day;
}

/** Index of the step at or before a position, counted from the anchor. */
function stepIndex(kind: KeyKind, anchor: string, step: Step, at: number): number {
  if ("units" in step) return Math.floor((at - (position(kind, anchor) as number)) / step.units);
  const d = new Date(at * 86_400_000);
  const a = new Date((position(kind, anchor) as number) * 86_400_000);
  const months = (d.getUTCFullYear() - a.getUTCFullYear()) * 12 + (d.getUTCMonth() - a.getUTCMonth());
  let k = Math.floor(months / step.months);
  // The anchor's day of month may put the position before the k-th bound.
  while ((position(kind, boundAt(kind, a.toISOString().slice(0, 10), step, k)) as number) > at) k--;
  return k;
}

/**
 * A DEFAULT partition, or a range partition bounded by MINVALUE or MAXVALUE, that holds most of its table's
 * rows: queries cannot prune to less than it, and every partition created later makes PostgreSQL scan it to
 * prove none of its rows belongs in the new range (under a lock).
 */
export const partitionCatchAll: Rule<HealthFacts, Options> = {
  id: "health/partition-catch-all",
  family: "health",
  group: "tables",
  title: "Catch-all partition holding most rows",
  description:
    "A DEFAULT partition, or a range partition open to MINVALUE or MAXVALUE, that holds most of its table's rows: partition pruning cannot narrow a query to less than it, and adding a partition scans it to check none of its rows belong to the new range.",
  maxSeverity: "warning",
  docsUrl:
    "https://www.postgresql.org/docs/current/ddl-partitioning.html#DDL-PARTITIONING-DECLARATIVE-MAINTENANCE",
  options: {
    maxShare: {
      default: 0.5,
      description: "share of the table's rows above which the catch-all partition is reported",
    },
    minRows: { default: 1000, description: "rows of the partitioned table below which it is not reported" },
    maxNewPartitions: {
      default: 24,
      description: "most partitions the recipe creates to take the catch-all partition's rows",
    },
  },
  check({ snapshot }, o) {
    const findings: Finding[] = [];
    for (const parent of snapshot.tables.filter((t) => t.kind === "partitioned")) {
      const children = snapshot.tables.filter((t) => t.parent === `${parent.schema}.${parent.name}`);
      const total = children.reduce((n, t) => n + t.rowsEstimate, 0);
      if (total < o.minRows || total <= 0) continue;
      for (const child of children) {
        const bound = rangeBound(child.partitionBound);
        const kind =
          bound === "default"
            ? "DEFAULT"
            : bound?.to === "MAXVALUE"
              ? "MAXVALUE"
              : bound?.from === "MINVALUE"
                ? "MINVALUE"
                : /\b(MINVALUE|MAXVALUE)\b/.test(child.partitionBound ?? "")
                  ? "MINVALUE or MAXVALUE"
                  : null;
        if (!kind) continue;
        const share = child.rowsEstimate / total;
        if (share <= o.maxShare) continue;
        const what = kind === "DEFAULT" ? "DEFAULT partition" : `partition open to ${kind}`;
        findings.push({
          ruleId: this.id,
          severity: "warning",
          title: `${child.name}, the ${what} of ${parent.name}, holds ${formatPercent(share)} of its rows`,
          detail: `${child.name} (${child.partitionBound}) holds ${formatCount(child.rowsEstimate)} of ${parent.name}'s ${formatCount(total)} rows (${formatPercent(share)}). A query on ${parent.name} that names a key value outside the other partitions' ranges scans all of ${child.name}: pruning cannot help. Each partition created later makes PostgreSQL scan ${child.name} to prove no row belongs in the new range${kind === "DEFAULT" ? "" : " (or refuse the overlap)"}.`,
          evidence: {
            table: parent.name,
            partition: child.name,
            bound: child.partitionBound ?? null,
            rows: Math.round(child.rowsEstimate),
            tableRows: Math.round(total),
            share: Math.round(share * 1000) / 1000,
          },
          ...splitRecipe(snapshot, parent, child, children, o.maxNewPartitions),
          docsUrl: this.docsUrl,
          impact: child.rowsEstimate,
          objects: [tableObject(parent), tableObject(child)],
        });
      }
    }
    return findings;
  },
};

/**
 * Partitions for the ranges the catch-all partition's rows fall in (their bounds from its column statistics,
 * their width from the siblings'), each filled from it in one transaction: a new table with the parent's
 * columns, the rows copied and deleted, then attached. A MINVALUE or MAXVALUE partition is detached first and
 * attached again past the new ranges.
 */
function splitRecipe(
  snapshot: Snapshot,
  parent: TableFacts,
  catchAll: TableFacts,
  children: TableFacts[],
  maxNew: number,
): { fix?: Fix } {
  const keyColumn = parent.partitionKeyColumns?.length === 1 ? parent.partitionKeyColumns[0] : undefined;
  if (!keyColumn || !parent.partitionKey?.startsWith("RANGE")) return {};
  const kind = keyKind(parent.columns.find((c) => c.name === keyColumn)?.type);
  if (!kind) return {};
  const catchBound = rangeBound(catchAll.partitionBound);
  const finite = children
    .map((c) => ({ table: c, bound: rangeBound(c.partitionBound) }))
    .filter(
      (c): c is { table: TableFacts; bound: { from: string; to: string } } =>
        c.bound !== null &&
        c.bound !== "default" &&
        position(kind, c.bound.from) !== null &&
        position(kind, c.bound.to) !== null,
    );
  const steps = finite
    .map((c) => stepOf(kind, c.bound.from, c.bound.to))
    .filter((s): s is Step => s !== null);
  const step = steps[0];
  const anchor = finite[0]?.bound.from;
  const stats = snapshot.columnStats.find(
    (s) => s.schema === catchAll.schema && s.table === catchAll.name && s.column === keyColumn,
  );
  const values = [...(stats?.histogramBounds ?? []), ...(stats?.mostCommonValues ?? [])]
    .map((v) => position(kind, v))
    .filter((v): v is number => v !== null);
  if (!step || anchor === undefined || values.length === 0) return {};
  let low = Math.min(...values);
  let high = Math.max(...values);
  // An open-ended range partition only holds values past its finite side.
  if (catchBound && catchBound !== "default") {
    if (catchBound.from !== "MINVALUE") low = Math.max(low, position(kind, catchBound.from) ?? low);
    if (catchBound.to !== "MAXVALUE") high = Math.min(high, position(kind, catchBound.to) ?? high);
  }
  const taken = finite.filter((c) => c.table !== catchAll);
  const ranges: Array<{ from: string; to: string }> = [];
  const first = stepIndex(kind, anchor, step, low);
  const last = stepIndex(kind, anchor, step, high);
  let truncated = false;
  for (let k = first; k <= last; k++) {
    if (ranges.length === maxNew) {
      truncated = true;
      break;
    }
    const from = boundAt(kind, anchor, step, k);
    const to = boundAt(kind, anchor, step, k + 1);
    const [a, b] = [position(kind, from) as number, position(kind, to) as number];
    const overlaps = taken.some(
      (t) => (position(kind, t.bound.from) as number) < b && (position(kind, t.bound.to) as number) > a,
    );
    if (!overlaps) ranges.push({ from, to });
  }
  if (ranges.length === 0) return {};
  const value = (v: string): SqlText => (kind === "integer" ? sql`${Number(v)}` : literal(v));
  const p = qname(parent.schema, parent.name);
  const c = qname(catchAll.schema, catchAll.name);
  const key = ident(keyColumn);
  const columns = list(parent.columns.filter((col) => col.generated !== "s").map((col) => ident(col.name)));
  const reserved = new Set<string>();
  const statements: SqlText[] = [
    comment(
      `${catchAll.name} holds rows for ${ranges.length} range${ranges.length === 1 ? "" : "s"} of ${keyColumn} from ${ranges[0]?.from} to ${ranges[ranges.length - 1]?.to}: one partition each, filled from ${catchAll.name}.`,
    ),
    sql`BEGIN;`,
  ];
  const open = catchBound && catchBound !== "default";
  if (open) statements.push(sql`ALTER TABLE ${p} DETACH PARTITION ${c};`);
  for (const r of ranges) {
    const label = labelOf(kind, step, r.from, r.to);
    const wanted = freeRelationName(snapshot, parent.schema, `${parent.name}_${label}`);
    let name = wanted;
    for (let n = 2; reserved.has(name); n++) name = `${wanted}_${n}`;
    reserved.add(name);
    const t = qname(parent.schema, name);
    const inRange = sql`${key} >= ${value(r.from)} AND ${key} < ${value(r.to)}`;
    statements.push(
      sql`CREATE TABLE ${t} (LIKE ${p} INCLUDING DEFAULTS);`,
      sql`INSERT INTO ${t} (${columns}) SELECT ${columns} FROM ${c} WHERE ${inRange};`,
      sql`DELETE FROM ${c} WHERE ${inRange};`,
      sql`ALTER TABLE ${p} ATTACH PARTITION ${t} FOR VALUES FROM (${value(r.from)}) TO (${value(r.to)});`,
    );
  }
  if (open) {
    const edge = catchBound.to === "MAXVALUE" ? ranges[ranges.length - 1]?.to : ranges[0]?.from;
    statements.push(
      catchBound.to === "MAXVALUE"
        ? sql`ALTER TABLE ${p} ATTACH PARTITION ${c} FOR VALUES FROM (${value(edge as string)}) TO (MAXVALUE);`
        : sql`ALTER TABLE ${p} ATTACH PARTITION ${c} FOR VALUES FROM (MINVALUE) TO (${value(edge as string)});`,
    );
  }
  statements.push(sql`COMMIT;`);
  return {
    fix: {
      sql: lines(statements),
      note: `The ranges come from ${catchAll.name}'s column statistics of ${keyColumn} (run ANALYZE first; rows outside them stay where they are) and the width of the other partitions. The transaction holds ACCESS EXCLUSIVE on ${catchAll.name}${open ? ` and ${parent.name}` : ""} while it copies, so run it when writes can wait, or move the rows in batches first. Indexes, keys and foreign keys of ${parent.name} are created on each new partition as it is attached; each ATTACH scans the new table to check its bound (add a matching CHECK constraint first to skip that).${truncated ? ` Only the first ${ranges.length} ranges are created (maxNewPartitions); run the recipe again for the rest.` : ""}`,
    },
  };
}

/** A partition name suffix for a range: 2019, 2019_03, 20190301, or the integer bounds. */
function labelOf(kind: KeyKind, step: Step, from: string, to: string): string {
  if (kind === "integer") return `${from}_${to}`.replace(/-/g, "m");
  const day = from.slice(0, 10);
  if ("months" in step && step.months % 12 === 0 && day.endsWith("-01-01")) return day.slice(0, 4);
  if ("months" in step && day.endsWith("-01")) return day.slice(0, 7).replace("-", "_");
  return `${day.replace(/-/g, "")}_${to.slice(0, 10).replace(/-/g, "")}`;
}
