import type { Column, TableFacts } from "../../facts/snapshot.js";
import type { Finding, Severity } from "../../findings/finding.js";
import { qualifiedName, quoteIdent } from "../../util/sql-identifiers.js";
import type { Rule } from "../rule.js";
import { type HealthFacts, tableObject } from "./health-facts.js";

type Options = Record<string, never>;

interface Smell {
  kind: string;
  severity: Severity;
  matches(column: Column): boolean;
  better(column: Column): string;
  why: string;
}

const MONEY_NAMES = /(^|_)(price|amount|total|cost|balance|fee|salary|revenue|tax|paid|charge|money)($|_)/;

const SMELLS: Smell[] = [
  {
    kind: "float for money",
    severity: "warning",
    matches: (c) => (c.type === "real" || c.type === "double precision") && MONEY_NAMES.test(c.name),
    better: () => "numeric(12,2)",
    why: "floating point cannot store most decimal amounts exactly (0.1 + 0.2 <> 0.3); sums drift",
  },
  {
    kind: "json instead of jsonb",
    severity: "info",
    matches: (c) => c.type === "json",
    better: () => "jsonb",
    why: "json is stored as text and re-parsed on every access; jsonb is binary, indexable (GIN) and supports containment",
  },
  {
    kind: "timestamp without time zone",
    severity: "info",
    matches: (c) => c.type.startsWith("timestamp") && c.type.endsWith("without time zone"),
    better: (c) => c.type.replace("without time zone", "with time zone"),
    why: "it stores wall-clock time with no zone, so values from sessions in different zones (or across DST) do not compare",
  },
  {
    kind: "char(n)",
    severity: "info",
    matches: (c) => /^character\(\d+\)$/.test(c.type),
    better: () => "text",
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
  const name = qualifiedName(table.schema, table.name);
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
      sql: columns
        .map((c) => `ALTER TABLE ${name} ALTER COLUMN ${quoteIdent(c.name)} TYPE ${smell.better(c)};`)
        .join("\n"),
      note: "Changing a column's type rewrites the table under an ACCESS EXCLUSIVE lock; on a large table, migrate through a new column filled in batches. For timestamps, say which zone the stored values are in (USING col AT TIME ZONE 'UTC').",
    },
    docsUrl,
    impact: table.sizeBytes * 1e-6,
    objects: [tableObject(table)],
  };
}
