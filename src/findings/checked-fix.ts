import { checkMysqlSql } from "../util/mysql-sql-check.js";
import { checkSql, UnparsableSqlError } from "../util/sql-text.js";
import type { Finding } from "./finding.js";

/**
 * Every fix is parsed back with PostgreSQL's parser before anyone sees it. SQL that does not parse is a bug
 * in dbopt: with DBOPT_STRICT_SQL=1 (the test suite sets it) it throws; for a user the SQL is withheld and the
 * note says so, since a fix that might not mean what it says must never be pasted.
 */
export function checkFix(finding: Finding): Finding {
  const text = finding.fix?.sql;
  if (!finding.fix || text === undefined) return finding;
  try {
    if (finding.fix.dialect === "mysql") checkMysqlSql(text);
    else checkSql(text);
    return finding;
  } catch (error) {
    if (!(error instanceof UnparsableSqlError) || process.env.DBOPT_STRICT_SQL === "1") throw error;
    return {
      ...finding,
      fix: {
        note: `${finding.fix.note} (dbopt withheld the SQL of this fix: it did not parse back, which is a bug in dbopt; please report it with --debug output)`,
      },
    };
  }
}
