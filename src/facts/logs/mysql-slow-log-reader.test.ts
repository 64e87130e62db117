import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { LogRecord } from "./log-record.js";
import { MysqlSlowLogReader } from "./mysql-slow-log-reader.js";

const MARIADB = readFileSync(
  new URL("../../../test/fixtures/logs/mariadb-slow.log", import.meta.url),
  "utf8",
);

function read(text: string): LogRecord[] {
  const records: LogRecord[] = [];
  const reader = new MysqlSlowLogReader((r) => records.push(r));
  for (const line of text.split("\n")) reader.line(line);
  reader.end();
  return records;
}

describe("MysqlSlowLogReader", () => {
  it("reads a MariaDB 10.11 slow log with log_slow_verbosity = query_plan", () => {
    const records = read(MARIADB);
    expect(records).toHaveLength(32);
    const group = records.find((r) => r.message.includes("group by customer_id"));
    expect(group).toMatchObject({ pid: "18", user: "root", level: "LOG" });
    expect(group?.database).toMatch(/^dbopt_slow_/);
    expect(group?.message).toMatch(
      /^duration: \d+\.\d{3} ms {2}statement: select customer_id, sum\(total\) from orders group by customer_id order by 2 desc limit 5$/,
    );
    expect(group?.rows).toEqual({ sent: 5, examined: 20205, lockMs: expect.any(Number), fullScan: true });
    expect(group?.time).toBe(1795722369000);
    // The server's startup header and SET timestamp / use lines are not statements.
    expect(records.some((r) => /SET timestamp|^use /.test(r.message))).toBe(false);
  });

  it("reads MySQL 8's layout: the connection id on the User@Host line, ISO times, multi-line statements", () => {
    // As MySQL 8.0 writes it (format of sql/log.cc's File_query_log::write_slow).
    const mysql8 = [
      "/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:",
      "Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock",
      "Time                 Id Command    Argument",
      "# Time: 2026-11-26T19:46:09.123456Z",
      "# User@Host: app[app] @ localhost []  Id:    12",
      "# Query_time: 0.002500  Lock_time: 0.000010 Rows_sent: 1  Rows_examined: 4000",
      "use shop;",
      "SET timestamp=1795722369;",
      "SELECT id",
      "  FROM orders WHERE customer_id = 7;",
      "# Time: 2026-11-26T19:46:10.000001Z",
      "# User@Host: app[app] @ localhost []  Id:    12",
      "# Query_time: 0.000010  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0",
      "SET timestamp=1795722370;",
      "# administrator command: Quit;",
    ].join("\n");
    const [r, ...rest] = read(mysql8);
    expect(rest).toEqual([]);
    expect(r).toMatchObject({ pid: "12", user: "app", database: "shop", time: 1795722369000 });
    expect(r?.message).toBe("duration: 2.500 ms  statement: SELECT id\n  FROM orders WHERE customer_id = 7");
    expect(r?.rows).toMatchObject({ sent: 1, examined: 4000, fullScan: false });
  });

  // The layouts below are those of pt-query-digest's slow log samples (percona-toolkit t/lib/samples/slowlogs),
  // written again here with other values; test/integration/log-corpus.test.ts reads the samples themselves.
  it("reads the YYMMDD time of MySQL before 5.7 and MariaDB, with a one-digit hour and microseconds", () => {
    const [a, b] = read(
      [
        "# Time: 071015  1:43:52",
        "# User@Host: root[root] @ localhost []",
        "# Query_time: 2  Lock_time: 0  Rows_sent: 1  Rows_examined: 0",
        "select sleep(2) from t;",
        "# Time: 120315 18:01:58.479076",
        "# User@Host: root[root] @ localhost []",
        "# Query_time: 0.5  Lock_time: 0  Rows_sent: 1  Rows_examined: 0",
        "select 1;",
      ].join("\n"),
    );
    // Date.parse reads "071015 1:43:52" as the year 71015.
    expect(a?.time).toBe(Date.UTC(2007, 9, 15, 1, 43, 52));
    expect(a?.message).toBe("duration: 2000.000 ms  statement: select sleep(2) from t");
    expect(b?.time).toBe(Date.UTC(2012, 2, 15, 18, 1, 58, 479));
  });

  it("reads Percona Server's entries: Thread_id without Schema, Schema on its own line, empty Schema, extra lines", () => {
    const records = read(
      [
        "# Time: 071218 11:48:27 # User@Host: [SQL_SLAVE] @  []",
        "# Thread_id: 10",
        "# Query_time: 0.000012  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 0",
        "# QC_Hit: No  Full_scan: Yes  Full_join: No  Tmp_table: No  Tmp_table_on_disk: No",
        "# No InnoDB statistics available for this query",
        "BEGIN;",
        "# User@Host: app[app] @ web1 [10.0.0.2]  Id: 69194",
        "# Schema: shop  Last_errno: 0  Killed: 0",
        "# Query_time: 0.000228  Lock_time: 0.000114  Rows_sent: 1  Rows_examined: 1  Rows_affected: 0",
        "# Bytes_sent: 545  Tmp_tables: 0  Tmp_disk_tables: 0  Tmp_table_sizes: 0",
        "SELECT 1 FROM orders;",
        "# User@Host: app[app] @ web1 []",
        "# Thread_id: 342 Schema:  Last_errno: 1 Killed: 2",
        "# Query_time: 0.000173 Lock_time: 0.000048 Rows_sent: 18 Rows_examined: 18",
        "select 2;",
      ].join("\n"),
    );
    expect(records.map((r) => [r.user, r.pid, r.database, r.message])).toEqual([
      ["SQL_SLAVE", "10", null, "duration: 0.012 ms  statement: BEGIN"],
      ["app", "69194", "shop", "duration: 0.228 ms  statement: SELECT 1 FROM orders"],
      ["app", "342", null, "duration: 0.173 ms  statement: select 2"],
    ]);
    expect(records[0]?.rows).toMatchObject({ fullScan: true, sent: 0 });
    expect(records[2]?.rows).toMatchObject({ sent: 18, examined: 18, lockMs: 0.048 });
  });

  it("opens an entry on any header line once the previous entry has its statement (logs without Time or User@Host)", () => {
    const records = read(
      [
        "# Query_time: 0.726052  Lock_time: 0.000091  Rows_sent: 0  Rows_examined: 62951",
        "SELECT * FROM foo;",
        "# Client: 127.0.0.1:12345",
        "# Query_time: 1",
        'foo="good";',
        "# Time: 100624 11:48:00",
        "# Query_time: 10  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 0",
        "SELECT zero FROM zero WHERE id=1;",
        "# User: someone[someone] @ [1.2.3.4]",
        "# Thread_id: 1 Schema: db",
        "# Query_time: 0.000899 Lock_time: 0.000000 Rows_sent: 0 Rows_examined: 0",
        "SELECT 1 FROM foo;",
      ].join("\n"),
    );
    expect(records.map((r) => r.message)).toEqual([
      "duration: 726.052 ms  statement: SELECT * FROM foo",
      'duration: 1000.000 ms  statement: foo="good"',
      "duration: 10000.000 ms  statement: SELECT zero FROM zero WHERE id=1",
      "duration: 0.899 ms  statement: SELECT 1 FROM foo",
    ]);
    expect(records[2]?.time).toBe(Date.UTC(2010, 5, 24, 11, 48, 0));
    expect(records[3]).toMatchObject({ user: "someone", database: "db", pid: "1" });
  });

  it("leaves out administrator commands and entries whose time overflowed, and reads a Windows server's header", () => {
    const records = read(
      [
        "D:\\MySQL\\MySQL Server 5.1\\bin\\mysqld, Version: 5.1.30-community-log (MySQL Community Server (GPL)). started with:",
        "TCP Port: 3306, Named Pipe: (null)",
        "Time                 Id Command    Argument",
        "# User@Host: bob @ host1 [bob]",
        "# Query_time: 0.000002  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 0",
        "use db2;",
        "# administrator command: Quit;",
        "# User@Host: bob @ host1 [bob]",
        "# Query_time: 18446744073708.796870.000036  Lock_time: 0.000036  Rows_sent: 1  Rows_examined: 127",
        "select 3;",
        "# User@Host: bob @ host1 [bob]",
        "# Query_time: 0.040312  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 0",
        "select 4;",
      ].join("\n"),
    );
    expect(records.map((r) => [r.user, r.message])).toEqual([
      ["bob", "duration: 40.312 ms  statement: select 4"],
    ]);
  });

  it("moves `# Time:`-only entries by the offset SET timestamp shows (local time before MySQL 5.7), in order", () => {
    const records = read(
      [
        "# Time: 071218 11:48:27",
        "# User@Host: [SQL_SLAVE] @  []",
        "# Query_time: 0.000012  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 0",
        "BEGIN;",
        "# User@Host: [SQL_SLAVE] @  []",
        "# Query_time: 0.726052  Lock_time: 0.000091  Rows_sent: 0  Rows_examined: 62951",
        "SET timestamp=1197996507;",
        "update t set a = 1;",
        "# Time: 071218 11:48:28",
        "# User@Host: [SQL_SLAVE] @  []",
        "# Query_time: 0.1  Lock_time: 0  Rows_sent: 0  Rows_examined: 0",
        "COMMIT;",
      ].join("\n"),
    );
    // 1197996507 is 2007-12-18 16:48:27 UTC: the server wrote its local time, UTC-5, in `# Time:`. Read as UTC,
    // the log spanned five hours.
    expect(records.map((r) => [r.message.split("statement: ")[1], r.time])).toEqual([
      ["BEGIN", Date.UTC(2007, 11, 18, 16, 48, 27)],
      ["update t set a = 1", Date.UTC(2007, 11, 18, 16, 48, 27)],
      ["COMMIT", Date.UTC(2007, 11, 18, 16, 48, 28)],
    ]);
  });
});
