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
});
