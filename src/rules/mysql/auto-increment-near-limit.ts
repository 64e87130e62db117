import type { Finding } from "../../findings/finding.js";
import { mysqlIdent, mysqlQname, sql, sqlFrom } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { MYSQL_DOCS, type MysqlRuleFacts } from "./mysql-rule-facts.js";

type Options = { warnShare: number; errorShare: number };

const INTEGER_TYPES = ["tinyint", "smallint", "mediumint", "int", "bigint"] as const;
const BITS: Record<string, number> = {
  tinyint: 8,
  smallint: 16,
  mediumint: 24,
  int: 32,
  integer: 32,
  bigint: 64,
};

/** The largest value of an integer type, as a number (bigint's is past 2^53; the share stays right). */
export function integerMax(dataType: string, unsigned: boolean): number | null {
  const bits = BITS[dataType];
  if (bits === undefined) return null;
  return unsigned ? 2 ** bits - 1 : 2 ** (bits - 1) - 1;
}

/**
 * An AUTO_INCREMENT column whose next value is close to its type's limit: when it reaches it every INSERT
 * fails with a duplicate-key error. The fix widens the type (a table copy).
 */
export const mysqlAutoIncrementNearLimit: Rule<MysqlRuleFacts, Options> = {
  id: "mysql/auto-increment-near-limit",
  family: "health",
  group: "tables",
  title: "AUTO_INCREMENT near its type's limit",
  description:
    "An AUTO_INCREMENT counter that has used most of its column type's range: at the limit every INSERT fails.",
  maxSeverity: "error",
  docsUrl: `${MYSQL_DOCS}/integer-types.html`,
  options: {
    warnShare: { default: 0.75, description: "share of the range used from which a warning is reported" },
    errorShare: { default: 0.9, description: "share of the range used from which an error is reported" },
  },
  check({ mysql }, o) {
    const findings: Finding[] = [];
    for (const table of mysql.tables) {
      if (table.autoIncrement === null) continue;
      const column = mysql.columns.find((c) => c.table === table.name && c.extra.includes("auto_increment"));
      if (!column) continue;
      const unsigned = /unsigned/i.test(column.columnType);
      const max = integerMax(column.dataType, unsigned);
      if (max === null) continue;
      const used = (table.autoIncrement - 1) / max;
      if (used < o.warnShare) continue;
      const wider =
        INTEGER_TYPES[Math.min(INTEGER_TYPES.indexOf(column.dataType as never) + 1, 4)] ?? "bigint";
      const type = sqlFrom("dbopt", `${wider.toUpperCase()}${unsigned ? " UNSIGNED" : ""}`);
      findings.push({
        ruleId: this.id,
        severity: used >= o.errorShare ? "error" : "warning",
        title: `${table.name}.${column.name} has used ${(used * 100).toFixed(0)}% of ${column.columnType}`,
        detail: `The next AUTO_INCREMENT value of ${table.name}.${column.name} is ${table.autoIncrement}, of a maximum ${max}: at the limit every INSERT fails.`,
        evidence: {
          table: table.name,
          column: column.name,
          columnType: column.columnType,
          nextValue: table.autoIncrement,
          maxValue: max,
          usedShare: Number(used.toFixed(4)),
        },
        fix: {
          sql: sql`ALTER TABLE ${mysqlQname(table.schema, table.name)} MODIFY COLUMN ${mysqlIdent(column.name)} ${type} NOT NULL AUTO_INCREMENT`,
          note: `widens the column to ${wider}${unsigned ? " unsigned" : ""} (a table copy: pt-online-schema-change or gh-ost on a large table); widen the foreign key columns that reference it too, and restate the column's COMMENT if it has one`,
        },
        docsUrl: this.docsUrl,
        impact: used,
        objects: [`${table.schema}.${table.name}`],
      });
    }
    return findings;
  },
};
