import type { Column, TableFacts } from "../../facts/snapshot.js";
import type { Finding, Severity } from "../../findings/finding.js";
import { ident, lines, qname, type SqlText, sql, sqlFrom } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { type HealthFacts, tableObject } from "./health-facts.js";

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

/** Column types that cause bugs or cost performance: float money, json, timestamp without zone, char(n). */
export const columnTypeSmell: Rule<HealthFacts, Options> = {
  id: "health/column-type-smell",
  family: "health",
  group: "tables",
  title: "Column type that causes trouble",
  description:
    "Types with well-known traps: real/double precision for money, json instead of jsonb, timestamp without time zone, char(n). One finding per table and kind, naming the columns.",
  maxSeverity: "warning",
  docsUrl: "https://wiki.postgresql.org/wiki/Don%27t_Do_This",
  options: {},
  check({ snapshot }) {
    const findings: Finding[] = [];
    for (const table of snapshot.tables.filter((t) => t.kind === "table" && t.parent === null)) {
      for (const smell of SMELLS) {
        const columns = table.columns.filter((c) => smell.matches(c));
        if (columns.length) findings.push(smellFinding(this.id, this.docsUrl, table, smell, columns));
      }
    }
    return findings;
  },
};

function smellFinding(
  ruleId: string,
  docsUrl: string,
  table: TableFacts,
  smell: Smell,
  columns: Column[],
): Finding {
  const name = qname(table.schema, table.name);
  return {
    ruleId,
    severity: smell.severity,
    title: `${table.name}: ${smell.kind} (${columns.map((c) => c.name).join(", ")})`,
    detail: `${columns.map((c) => `${c.name} ${c.type}`).join(", ")}: ${smell.why}.`,
    evidence: {
      table: table.name,
      kind: smell.kind,
      columns: columns.map((c) => `${c.name} ${c.type}`).join(", "),
    },
    fix: {
      sql: lines(
        columns.map((c) => {
          const using = smell.using?.(c);
          return using
            ? sql`ALTER TABLE ${name} ALTER COLUMN ${ident(c.name)} TYPE ${smell.better(c)} USING ${using};`
            : sql`ALTER TABLE ${name} ALTER COLUMN ${ident(c.name)} TYPE ${smell.better(c)};`;
        }),
      ),
      note: `Changing a column's type rewrites the table and its indexes under an ACCESS EXCLUSIVE lock (the change fails while a view uses the column); on a large table, migrate through a new column filled in batches.${smell.using ? " USING ... AT TIME ZONE 'UTC' says the stored values are UTC times: change the zone if they are another's." : ""}`,
    },
    docsUrl,
    impact: table.sizeBytes * 1e-6,
    objects: [tableObject(table)],
  };
}
