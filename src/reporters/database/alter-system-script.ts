/**
 * The tune report's settings as an ALTER SYSTEM script: presentation of a TuneReport, shared by the terminal,
 * Markdown and HTML reporters.
 */
import type { TuneReport } from "../../pipeline/tune-settings.js";
import { checkSql, comment, ident, literal, type SqlText, sql } from "../../util/sql-text.js";

/**
 * ALTER SYSTEM lines for the settings that change, with their reasons, then the reload: built with the SQL
 * builder (the name quoted, the value a string constant) and parsed back as a whole before it is printed.
 */
export function alterSystemScript(report: TuneReport): SqlText[] {
  const changes = report.recommendations.filter((r) => r.changed);
  if (changes.length === 0) return [comment("nothing to change")];
  const lines = changes.map(
    (r) =>
      sql`ALTER SYSTEM SET ${ident(r.name)} = ${literal(r.recommended)};  ${comment(`${r.restart ? "needs a restart; " : ""}${r.reason}`)}`,
  );
  lines.push(sql`SELECT pg_reload_conf();`);
  if (changes.some((r) => r.restart))
    lines.push(comment("then restart the server for the settings marked 'needs a restart'"));
  checkSql(lines.join("\n"), changes.length + 1);
  return lines;
}
