import type { Finding } from "../../findings/finding.js";
import { mysqlQname, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { MYSQL_DOCS, type MysqlRuleFacts } from "./mysql-rule-facts.js";

/** Engines without transactions or crash recovery as InnoDB has them; MEMORY loses its rows at a restart. */
const NOT_TRANSACTIONAL = new Set(["myisam", "aria", "memory", "csv", "archive", "merge", "mrg_myisam"]);

/**
 * A table on MyISAM, Aria, MEMORY or another engine without InnoDB's transactions, row locks and crash
 * recovery: a write locks the whole table, and a crash can leave it needing repair.
 */
export const mysqlNonInnodbTable: Rule<MysqlRuleFacts> = {
  id: "mysql/non-innodb-table",
  family: "health",
  group: "tables",
  title: "Table not on InnoDB",
  description:
    "A table on MyISAM, Aria, MEMORY or another engine without transactions and row locks: each write locks the whole table, and a crash can corrupt it.",
  maxSeverity: "warning",
  docsUrl: `${MYSQL_DOCS}/converting-tables-to-innodb.html`,
  options: {},
  check({ mysql }) {
    return mysql.tables
      .filter((t) => t.engine !== null && NOT_TRANSACTIONAL.has(t.engine.toLowerCase()))
      .map(
        (table): Finding => ({
          ruleId: this.id,
          severity: "warning",
          title: `table ${table.name} uses ${table.engine}`,
          detail: `${table.name} (about ${table.rows} rows) is on ${table.engine}: no transactions, table-level locks on writes, no crash recovery like InnoDB's.`,
          evidence: { table: table.name, engine: table.engine, rows: table.rows, dataBytes: table.dataBytes },
          fix: {
            sql: sql`ALTER TABLE ${mysqlQname(table.schema, table.name)} ENGINE=InnoDB`,
            note: "copies the table (writes wait on it meanwhile): use pt-online-schema-change or gh-ost on a large one; InnoDB tables take more disk",
          },
          docsUrl: this.docsUrl,
          impact: table.dataBytes,
          objects: [`${table.schema}.${table.name}`],
        }),
      );
  },
};
