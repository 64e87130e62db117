import type { MysqlIndex } from "../../facts/collect-mysql/mysql-facts.js";
import type { Finding } from "../../findings/finding.js";
import { mysqlIdent, mysqlQname, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import {
  formatBytes,
  isBtree,
  keyParts,
  MYSQL_DOCS,
  type MysqlRuleFacts,
  primaryKeyColumns,
} from "./mysql-rule-facts.js";

/** The key parts an index stores: its own, then the primary key's columns it does not name (InnoDB). */
function storedKey(index: MysqlIndex, pk: string[]): string[] {
  const parts = keyParts(index);
  return [...parts, ...pk.filter((c) => !parts.includes(c))];
}

/**
 * Duplicate and redundant indexes as pt-duplicate-key-checker finds them: an index whose key parts are the same
 * as another's, or a leftmost prefix of another's, serves no read the longer one cannot serve. A unique index
 * is kept (it enforces something) unless its twin is unique too; the primary key is never dropped.
 */
export const mysqlDuplicateIndex: Rule<MysqlRuleFacts> = {
  id: "mysql/duplicate-index",
  family: "health",
  group: "indexes",
  title: "Duplicate or redundant index (MySQL/MariaDB)",
  description:
    "An index whose columns are the same as another index's, or a leftmost prefix of them: every write maintains it and the other index serves the same reads.",
  maxSeverity: "warning",
  docsUrl: `${MYSQL_DOCS}/mysql-indexes.html`,
  options: {},
  check({ mysql }) {
    const findings: Finding[] = [];
    const byTable = new Map<string, MysqlIndex[]>();
    for (const index of mysql.indexes.filter(isBtree)) {
      byTable.set(index.table, [...(byTable.get(index.table) ?? []), index]);
    }
    for (const [table, indexes] of byTable) {
      const innodb = mysql.tables.some((t) => t.name === table && t.engine?.toLowerCase() === "innodb");
      const pk = primaryKeyColumns(mysql, table);
      const stored = (i: MysqlIndex) => storedKey(i, innodb && !i.primary && !i.unique ? pk : []);
      const reported = new Set<string>();
      for (const index of indexes) {
        const keeper = indexes.find(
          (other) => other !== index && !reported.has(other.name) && covers(other, index, stored),
        );
        if (!keeper) continue;
        reported.add(index.name);
        const same = stored(index).join(",") === stored(keeper).join(",");
        findings.push({
          ruleId: this.id,
          severity: "warning",
          title: `${same ? "duplicate" : "redundant"} index ${index.name} on ${table}`,
          detail: same
            ? `${index.name} (${keyParts(index).join(", ")}) has the same entries as ${keeper.name} (${keyParts(keeper).join(", ")})${innodb && keyParts(index).length !== keyParts(keeper).length ? ", since InnoDB appends the primary key to every secondary index" : ""}: one of them is enough.`
            : `${index.name} (${keyParts(index).join(", ")}) is a leftmost prefix of ${keeper.name} (${keyParts(keeper).join(", ")}), which serves the same lookups.`,
          evidence: {
            table,
            index: index.name,
            columns: keyParts(index).join(", "),
            coveredBy: keeper.name,
            coveredByColumns: keyParts(keeper).join(", "),
            sizeBytes: index.sizeBytes,
          },
          fix: {
            sql: sql`ALTER TABLE ${mysqlQname(index.schema, table)} DROP INDEX ${mysqlIdent(index.name)}`,
            note: `${keeper.name} keeps serving these lookups${index.sizeBytes ? `; frees about ${formatBytes(index.sizeBytes)}` : ""}. A foreign key that used ${index.name} uses ${keeper.name} instead.`,
          },
          docsUrl: this.docsUrl,
          impact: index.sizeBytes ?? 0,
          objects: [`${index.schema}.${table}`, `${index.schema}.${index.name}`],
        });
      }
    }
    return findings;
  },
};

/**
 * keeper makes index unnecessary: a leftmost prefix of its declared columns, or the same entries once InnoDB
 * has appended the primary key to both (so (email) and (email, id) are twins when id is the key).
 */
function covers(keeper: MysqlIndex, index: MysqlIndex, stored: (i: MysqlIndex) => string[]): boolean {
  if (index.primary) return false;
  const a = keyParts(index);
  const b = keyParts(keeper);
  if (stored(index).join(",") === stored(keeper).join(",")) {
    // Twins: keep the primary key, then a unique index, then the shorter declaration, then the first by name.
    if (index.unique && !keeper.unique) return false;
    if (keeper.primary || keeper.unique !== index.unique) return true;
    if (a.length !== b.length) return b.length < a.length;
    return keeper.name < index.name;
  }
  if (a.length >= b.length || !a.every((part, i) => part === b[i])) return false;
  // A shorter unique index enforces uniqueness the longer one does not.
  return !index.unique;
}
