import type { Column, TableFacts } from "../../facts/snapshot.js";
import { tableObject } from "../../facts/snapshot-accessors.js";
import { type Finding, SEVERITY_ORDER, type Severity } from "../../findings/finding.js";
import { ident, lines, list, qname, type SqlText, sql, sqlFrom } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = Record<string, never>;

interface Smell {
  kind: string;
  severity: Severity;
  matches(column: Column): boolean;
  /** The better type: dbopt's own text, never from the database. */
  better(column: Column): SqlText;
  /** USING clause the change needs, if any. */
  using?(column: Column): SqlText;
  why: string;
}

const MONEY_NAMES = /(^|_)(price|amount|total|cost|balance|fee|salary|revenue|tax|paid|charge|money)($|_)/;

const SMELLS: Smell[] = [
  {
    kind: "float for money",
    severity: "warning",
    matches: (c) => (c.type === "real" || c.type === "double precision") && MONEY_NAMES.test(c.name),
    better: () => sqlFrom("dbopt", "numeric(12,2)"),
    why: "floating point cannot store most decimal amounts exactly (0.1 + 0.2 <> 0.3); sums drift",
  },
  {
    kind: "json instead of jsonb",
    severity: "info",
    matches: (c) => c.type === "json",
    better: () => sqlFrom("dbopt", "jsonb"),
    why: "json is stored as text and re-parsed on every access; jsonb is binary, indexable (GIN) and supports containment",
  },
  {
    kind: "timestamp without time zone",
    severity: "info",
    matches: (c) => c.type.startsWith("timestamp") && c.type.endsWith("without time zone"),
    // timestamp(3) keeps its precision: timestamp(3) with time zone.
    better: (c) => {
      const precision = /^timestamp(\(\d+\))? without time zone$/.exec(c.type)?.[1] ?? "";
      return sqlFrom("dbopt", `timestamp${precision} with time zone`);
    },
    // Without USING the values are read in the session's TimeZone; saying which zone they are in is explicit.
    using: (c) => sql`${ident(c.name)} AT TIME ZONE 'UTC'`,
    why: "it stores wall-clock time with no zone, so values from sessions in different zones (or across DST) do not compare",
  },
  {
    kind: "char(n)",
    severity: "info",
    matches: (c) => /^character\(\d+\)$/.test(c.type),
    better: () => sqlFrom("dbopt", "text"),
    why: "char(n) pads with spaces, which comparisons and lengths then have to ignore; it is no faster than text",
  },
];

interface Smelly {
  table: TableFacts;
  smell: Smell;
  columns: Column[];
}

/** Column types that cause bugs or cost performance: float money, json, timestamp without zone, char(n). */
export const columnTypeSmell: Rule<HealthFacts, Options> = {
  id: "health/column-type-smell",
  family: "health",
  group: "tables",
  title: "Column type that causes trouble",
  description:
    "Types with well-known traps: real/double precision for money, json instead of jsonb, timestamp without time zone, char(n). One finding for the whole database, listing the tables and columns, worst first.",
  maxSeverity: "warning",
  docsUrl: "https://wiki.postgresql.org/wiki/Don%27t_Do_This",
  options: {},
  check({ snapshot }) {
    const found: Smelly[] = [];
    for (const table of snapshot.tables.filter((t) => t.kind === "table" && t.parent === null)) {
      for (const smell of SMELLS) {
        const columns = table.columns.filter((c) => smell.matches(c));
        if (columns.length) found.push({ table, smell, columns });
      }
    }
    // Worst first: float money (a warning) before the rest, then the largest table (the costliest rewrite).
    found.sort(
      (a, b) =>
        SEVERITY_ORDER[a.smell.severity] - SEVERITY_ORDER[b.smell.severity] ||
        b.table.sizeBytes - a.table.sizeBytes ||
        SMELLS.indexOf(a.smell) - SMELLS.indexOf(b.smell),
    );
    return found.length ? [groupedFinding(this.id, this.docsUrl, found)] : [];
  },
};

/** One item for every smelly column: they are one kind of clean-up, not one problem per table. */
function groupedFinding(ruleId: string, docsUrl: string, found: Smelly[]): Finding {
  const [worst] = found;
  if (!worst) throw new Error("grouped only when something was found");
  const tables = new Set(found.map((s) => s.table));
  const columns = found.reduce((n, s) => n + s.columns.length, 0);
  const kinds = SMELLS.filter((smell) => found.some((s) => s.smell === smell));
  const countOf = (smell: Smell) =>
    found.filter((s) => s.smell === smell).reduce((n, s) => n + s.columns.length, 0);
  const listed = found.map(
    (s) => `${s.table.name}: ${s.smell.kind} (${s.columns.map((c) => c.name).join(", ")})`,
  );
  return {
    ruleId,
    severity: worst.smell.severity,
    title: `${columns} column${columns === 1 ? "" : "s"} in ${tables.size} table${tables.size === 1 ? "" : "s"} with a type that causes trouble (${kinds.map((k) => k.kind).join(", ")})`,
    detail: `${listed.join("; ")}. ${kinds.map((k) => `${k.kind}: ${k.why}`).join(". ")}.`,
    evidence: {
      tables: tables.size,
      columns,
      ...Object.fromEntries(kinds.map((k) => [k.kind, countOf(k)])),
      worst: listed[0] ?? null,
    },
    fix: {
      sql: lines(alterStatements(found)),
      note: `Changing a column's type rewrites the table and its indexes under an ACCESS EXCLUSIVE lock (the change fails while a view uses the column); on a large table, migrate through a new column filled in batches. Each table is rewritten once, by one ALTER TABLE.${kinds.some((k) => k.using) ? " USING ... AT TIME ZONE 'UTC' says the stored values are UTC times: change the zone if they are another's." : ""}`,
    },
    docsUrl,
    impact: [...tables].reduce((n, t) => n + t.sizeBytes, 0) * 1e-6,
    objects: [...tables].map(tableObject),
  };
}

/** One ALTER TABLE per table, so each table is rewritten once however many of its columns change. */
function alterStatements(found: Smelly[]): SqlText[] {
  const byTable = new Map<TableFacts, SqlText[]>();
  for (const { table, smell, columns } of found) {
    const clauses = byTable.get(table) ?? [];
    byTable.set(table, clauses);
    for (const c of columns) {
      const using = smell.using?.(c);
      clauses.push(
        using
          ? sql`ALTER COLUMN ${ident(c.name)} TYPE ${smell.better(c)} USING ${using}`
          : sql`ALTER COLUMN ${ident(c.name)} TYPE ${smell.better(c)}`,
      );
    }
  }
  return [...byTable].map(
    ([table, clauses]) => sql`ALTER TABLE ${qname(table.schema, table.name)} ${list(clauses, ", ")};`,
  );
}
