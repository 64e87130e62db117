import type { Finding } from "../../findings/finding.js";
import { list, mysqlIdent, mysqlQname, type SqlText, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { isBtree, keyParts, MYSQL_DOCS, type MysqlRuleFacts, primaryKeyColumns } from "./mysql-rule-facts.js";

/**
 * InnoDB appends the primary key to every secondary index, so a secondary index ending in the primary key's
 * leading columns stores them twice (pt-duplicate-key-checker's "clustered" case). A unique index is left
 * alone: dropping columns from it changes what it enforces.
 */
export const mysqlIndexEndsWithPrimaryKey: Rule<MysqlRuleFacts> = {
  id: "mysql/index-ends-with-primary-key",
  family: "health",
  group: "indexes",
  title: "Secondary index ends with the primary key (InnoDB)",
  description:
    "InnoDB stores the primary key in every secondary index; naming its columns at the end of one stores them twice and makes the index larger for nothing.",
  maxSeverity: "info",
  docsUrl: `${MYSQL_DOCS}/innodb-index-types.html`,
  options: {},
  check({ mysql }) {
    const findings: Finding[] = [];
    const innodb = new Set(
      mysql.tables.filter((t) => t.engine?.toLowerCase() === "innodb").map((t) => t.name),
    );
    for (const index of mysql.indexes) {
      if (index.primary || index.unique || !isBtree(index) || !innodb.has(index.table)) continue;
      const pk = primaryKeyColumns(mysql, index.table);
      const parts = keyParts(index);
      // The longest tail of the index that is a leftmost prefix of the primary key, leaving one column at least.
      let tail = 0;
      for (let n = Math.min(pk.length, parts.length - 1); n > 0; n--) {
        if (parts.slice(parts.length - n).every((p, i) => p === pk[i])) {
          tail = n;
          break;
        }
      }
      if (tail === 0) continue;
      const kept = index.columns.slice(0, index.columns.length - tail);
      const keptSql: SqlText[] = kept.map((c) =>
        c.subPart === null ? mysqlIdent(c.name ?? "") : sql`${mysqlIdent(c.name ?? "")}(${c.subPart})`,
      );
      // Another index on the kept columns already exists: the clustered tail makes this one a plain duplicate.
      const twin = mysql.indexes.find(
        (o) =>
          o.table === index.table &&
          o !== index &&
          keyParts(o).join(",") === keyParts(index).slice(0, kept.length).join(","),
      );
      if (twin) continue;
      const table = mysqlQname(index.schema, index.table);
      findings.push({
        ruleId: this.id,
        severity: "info",
        title: `index ${index.name} on ${index.table} ends with the primary key`,
        detail: `${index.name} (${parts.join(", ")}) ends with ${parts.slice(parts.length - tail).join(", ")}, which InnoDB already appends to every secondary index.`,
        evidence: {
          table: index.table,
          index: index.name,
          columns: parts.join(", "),
          primaryKey: pk.join(", "),
          sizeBytes: index.sizeBytes,
        },
        fix: {
          sql: sql`ALTER TABLE ${table} DROP INDEX ${mysqlIdent(index.name)}, ADD INDEX ${mysqlIdent(index.name)} (${list(keptSql)}), ALGORITHM=INPLACE, LOCK=NONE`,
          note: "the new index holds the same entries (InnoDB appends the primary key) and serves the same lookups and sorts",
        },
        docsUrl: this.docsUrl,
        impact: index.sizeBytes ?? 0,
        objects: [`${index.schema}.${index.table}`, `${index.schema}.${index.name}`],
      });
    }
    return findings;
  },
};
