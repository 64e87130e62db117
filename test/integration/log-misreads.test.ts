// Misreads found on pgBadger's and pt-query-digest's corpora, each fixed in the reader (read-logs.ts).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeLogs } from "../../src/pipeline/analyze-logs.js";

const PGBADGER = new URL("../fixtures/logs/pgbadger/", import.meta.url).pathname;
const read = (file: string) => analyzeLogs([PGBADGER + file], { jobs: 1, top: 100 });

describe("pgBadger fixtures dbopt misreads", () => {
  it("queryid.log: the user is postgres, not '[queryid=…] postgres' ('%m [%p] %q%u@%d ' swallowed [queryid=%Q])", async () => {
    const r = await read("queryid.log");
    expect(new Set(r.statements.flatMap((s) => s.users))).toEqual(new Set(["postgres"]));
  });

  it("csv_statement_without_duration.log: quoted csvlog timestamps are csvlog", async () => {
    const r = await read("csv_statement_without_duration.log");
    expect(r.files[0]?.format).toBe("csvlog");
    expect(r.statementCount).toBe(2);
  });
});

describe("a MySQL slow log of administrator commands only (pt-query-digest's slow026 shape)", () => {
  it("is refused in one line that says so, not 'the first line not understood reads: .'", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dbopt-admin-"));
    const log = join(dir, "slow.log");
    writeFileSync(
      log,
      [
        "/usr/sbin/mysqld, Version: 5.0.77-log (MySQL). started with:",
        "Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock",
        "Time                 Id Command    Argument",
        "# Time: 090311 18:11:50",
        "# User@Host: root[root] @ localhost []",
        "# Query_time: 0.017850  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 0",
        "# administrator command: Refresh;",
        "# User@Host: root[root] @ localhost []",
        "# Query_time: 0.000002  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 0",
        "# administrator command: Quit;",
        "",
      ].join("\n"),
    );
    const error = await analyzeLogs([log]).then(
      () => null,
      (e: Error & { hint?: string }) => e,
    );
    expect(error?.name).toBe("InputError");
    expect(`${error?.message} ${error?.hint}`).toMatch(/2 entries are administrator commands only/);
  });
});
