import type { MysqlColumn } from "../../facts/collect-mysql/mysql-facts.js";
import type { Finding } from "../../findings/finding.js";
import { lines, list, mysqlIdent, mysqlQname, sql, sqlFrom } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { MYSQL_DOCS, type MysqlRuleFacts } from "./mysql-rule-facts.js";

/** The type without integer display widths, which change nothing ("int(11)" is "int"). */
function comparableType(column: MysqlColumn): string {
  return column.columnType.toLowerCase().replace(/^(tinyint|smallint|mediumint|int|bigint)\(\d+\)/, "$1");
}

/**
 * A foreign key column whose type, length or character set differs from the column it references: joins
 * convert one side (an index on it may not be used), and values that fit one side may not fit the other.
 */
export const mysqlFkTypeMismatch: Rule<MysqlRuleFacts> = {
  id: "mysql/fk-type-mismatch",
  family: "health",
  group: "tables",
  title: "Foreign key column type differs from the referenced column",
  description:
    "A foreign key column whose type, length or character set is not the referenced column's: joins convert one side, and a value that fits one side may not fit the other.",
  maxSeverity: "warning",
  docsUrl: `${MYSQL_DOCS}/create-table-foreign-keys.html`,
  options: {},
  check({ mysql }) {
    const column = (table: string, name: string) =>
      mysql.columns.find((c) => c.table === table && c.name === name);
    const findings: Finding[] = [];
    for (const fk of mysql.foreignKeys) {
      if (fk.refSchema !== mysql.server.database) continue;
      const pairs = fk.columns.flatMap((name, i) => {
        const child = column(fk.table, name);
        const parent = column(fk.refTable, fk.refColumns[i] ?? "");
        return child && parent ? [{ child, parent }] : [];
      });
      const mismatched = pairs.filter(
        ({ child, parent }) =>
          comparableType(child) !== comparableType(parent) ||
          child.charset !== parent.charset ||
          child.collation !== parent.collation,
      );
      const first = mismatched[0];
      if (!first) continue;
      const { child, parent } = first;
      const table = mysqlQname(fk.schema, fk.table);
      // The server refuses to change a column a foreign key uses (error 1832): drop the key, change the
      // columns and add the key back as it was, in one ALTER so the table is never without it for long.
      const modify = mismatched.map(
        ({ child: c, parent: p }) =>
          sql`MODIFY COLUMN ${mysqlIdent(c.name)} ${sqlFrom("server", p.columnType)}${p.collation && p.collation !== c.collation ? sql` COLLATE ${mysqlIdent(p.collation)}` : sqlFrom("dbopt", "")} ${sqlFrom("dbopt", c.nullable ? "NULL" : "NOT NULL")}`,
      );
      const fix = lines([
        sql`ALTER TABLE ${table} DROP FOREIGN KEY ${mysqlIdent(fk.name)};`,
        sql`ALTER TABLE ${table} ${list(modify)}, ADD CONSTRAINT ${mysqlIdent(fk.name)} FOREIGN KEY (${list(fk.columns.map(mysqlIdent))}) REFERENCES ${mysqlQname(fk.refSchema, fk.refTable)} (${list(fk.refColumns.map(mysqlIdent))}) ON DELETE ${sqlFrom("server", fk.onDelete)} ON UPDATE ${sqlFrom("server", fk.onUpdate)};`,
      ]);
      findings.push({
        ruleId: this.id,
        severity: "warning",
        title: `${fk.table}.${child.name} is ${child.columnType}, ${fk.refTable}.${parent.name} is ${parent.columnType}`,
        detail: `The foreign key ${fk.name} joins ${fk.table}.${child.name} (${child.columnType}${child.collation ? ` ${child.collation}` : ""}) to ${fk.refTable}.${parent.name} (${parent.columnType}${parent.collation ? ` ${parent.collation}` : ""}).`,
        evidence: {
          table: fk.table,
          column: child.name,
          columnType: child.columnType,
          referencedTable: fk.refTable,
          referencedColumn: parent.name,
          referencedType: parent.columnType,
          collation: child.collation,
          referencedCollation: parent.collation,
          mismatchedColumns: mismatched.length,
        },
        fix: {
          sql: fix,
          note: "gives the columns the referenced columns' types (as the server prints them) and adds the key back with its ON DELETE / ON UPDATE rules; restate a DEFAULT or COMMENT the columns have (a table copy on a large table: pt-online-schema-change or gh-ost)",
        },
        docsUrl: this.docsUrl,
        impact: 1,
        objects: [`${fk.schema}.${fk.table}`, `${fk.refSchema}.${fk.refTable}`],
      });
    }
    return findings;
  },
};
