import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeLogs } from "../../pipeline/analyze-logs.js";
import { renderLogReport } from "./log-report-terminal.js";

const FIXTURES = new URL("../../../test/fixtures/logs/", import.meta.url).pathname;

describe("renderLogReport", () => {
  it("escapes control characters a logged statement carries, on a terminal; JSON keeps them as JSON escapes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dbopt-render-"));
    const path = join(dir, "pg.log");
    writeFileSync(
      path,
      [
        "2026-11-26 10:00:00.000 UTC [42] LOG:  duration: 1.5 ms  statement: select '\u001b]0;owned\u0007\u001b[2J' as x",
        "2026-11-26 10:00:01.000 UTC [42] ERROR:  bad \u001b[31mred\u001b[0m input",
        "",
      ].join("\n"),
    );
    const report = await analyzeLogs([path]);
    const text = renderLogReport(report, "terminal", false);
    expect(text).toContain("select '\\x1b]0;owned\\x07\\x1b[2J' as x");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: what must not reach the terminal.
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(JSON.parse(renderLogReport(report, "json")).statements[0].example.sql).toContain("\u001b[2J");
  });

  it("gives PgBouncer's findings, and no advice about log_min_duration_statement, for a PgBouncer log", async () => {
    const text = renderLogReport(await analyzeLogs([`${FIXTURES}pgbouncer-1.18.log`]), "terminal", false);
    expect(text).toContain("PgBouncer 1.18.0 (max_client_conn 12)");
    expect(text).toMatch(/logins: 48 from 1 client address; 3 server connections opened/);
    expect(text).toMatch(
      /query_wait_timeout \(postgres\/shop\) from 127\.0\.0\.1 — clients waited for a server connection longer/,
    );
    expect(text).not.toContain("log_min_duration_statement");
    expect(text).not.toMatch(/^0 statements/m);
  });
});
