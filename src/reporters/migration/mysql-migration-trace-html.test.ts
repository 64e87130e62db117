import { describe, expect, it } from "vitest";
import type {
  MysqlMigrationTraceReport,
  MysqlTracedStatement,
} from "../../pipeline/trace-mysql-migrations.js";
import { renderMysqlTraceHtml } from "./mysql-migration-trace-html.js";

const AWKWARD = `<script>alert("x")</script> & 'q'`;

const statement = (over: Partial<MysqlTracedStatement>): MysqlTracedStatement => ({
  file: `m ${AWKWARD}.sql`,
  line: 1,
  sql: `ALTER TABLE \`${AWKWARD}\` ADD COLUMN c INT`,
  attempts: [],
  accepted: null,
  ranAsWritten: false,
  durationMs: 1,
  error: null,
  refusedAsWritten: false,
  predicted: null,
  predictedOnline: null,
  ...over,
});

describe("MySQL migrate trace HTML", () => {
  it("escapes statement text, the server's answers and file names, and says what each statement did", () => {
    const report: MysqlMigrationTraceReport = {
      kind: "mysql-migration-trace",
      server: "MariaDB 10.11.19",
      database: `sandbox ${AWKWARD}`,
      files: [`m ${AWKWARD}.sql`],
      statements: [
        statement({
          attempts: [
            {
              algorithm: "INSTANT",
              sql: `ALTER TABLE \`${AWKWARD}\` ADD COLUMN c INT, ALGORITHM=INSTANT, LOCK=NONE`,
              accepted: false,
              error: `refused <b>${AWKWARD}</b>`,
            },
          ],
          error: `Table '${AWKWARD}' doesn't exist`,
        }),
        statement({ line: 2, sql: "CREATE TABLE t (id INT PRIMARY KEY)" }),
      ],
      findings: [],
    };
    const page = renderMysqlTraceHtml(report, new Date("2026-12-02T08:00:00Z"));
    expect(page).not.toMatch(/<script|<b>/);
    expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;");
    expect(page).toContain('<article class="finding error statement">');
    expect(page).toContain("<strong>Failed:</strong> Table &#39;&lt;script&gt;");
    expect(page).toContain("refused: refused &lt;b&gt;");
    expect(page).toContain("Ran as written (no online form to try");
    expect(page).toContain("Lint predicted: nothing");
  });
});
