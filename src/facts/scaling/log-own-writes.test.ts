import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../../util/sql-parser.js";
import { Fingerprinter } from "../logs/fingerprinter.js";
import type { LogRecord } from "../logs/log-record.js";
import type { StatementEvent } from "../logs/statement-events.js";
import { LogOwnWrites } from "./log-own-writes.js";

beforeAll(loadSqlParser);

const T0 = Date.UTC(2026, 11, 2, 12, 0, 0);

/** A `duration: … statement:` event of process `pid` ending at T0 + atMs. */
function event(
  pid: string,
  atMs: number | null,
  sql: string,
  extra: Partial<LogRecord> = {},
): StatementEvent {
  return {
    sql,
    durationMs: 0.2,
    parameters: null,
    record: {
      time: atMs === null ? null : T0 + atMs,
      pid,
      user: "app",
      database: "shop",
      application: null,
      session: null,
      vxid: null,
      level: "LOG",
      sqlstate: null,
      message: `duration: 0.200 ms  statement: ${sql}`,
      detail: null,
      statement: null,
      ...extra,
    },
  };
}

describe("reads that follow their own writes in logs", () => {
  it("counts a read in the writing transaction, and one soon after an autocommit write, per session", () => {
    const fp = new Fingerprinter();
    const own = new LogOwnWrites(fp, { windowMs: 1000 });
    const events = [
      event("10", 0, "BEGIN"),
      event("10", 1, "insert into orders (id) values (1)", { line: 41 }),
      event("10", 2, "select * from orders where id = 1", { line: 43 }),
      event("10", 3, "COMMIT"),
      // Another session reads the table just written: not its own write.
      event("11", 4, "select * from orders where id = 1"),
      event("12", 100, "update public.carts set n = 2 where id = 5"),
      event("12", 400, "select * from carts where id = 5"),
      // Past the window: a replica has caught up.
      event("12", 5000, "select * from carts where id = 5"),
    ];
    for (const e of events) own.statement(e);
    const { ownWrites, quality } = own.result();
    const key = (q: string) => fp.shape(q).fingerprint;
    expect(ownWrites.get(key("select * from orders where id = 7"))).toEqual({
      after: 1,
      seen: 2,
      inTransaction: 1,
      withinWindow: 0,
      // The lines behind the judgement: the read, and the write it followed.
      examples: [
        {
          read: { kind: "log", file: "standard input", line: 43, time: T0 + 2, session: "10" },
          write: { kind: "log", file: "standard input", line: 41, time: T0 + 1, session: "10" },
        },
      ],
    });
    expect(ownWrites.get(key("select * from carts where id = 7"))).toMatchObject({
      after: 1,
      seen: 2,
      inTransaction: 0,
      withinWindow: 1,
    });
    expect(ownWrites.get(key("insert into orders (id) values (2)"))).toBeUndefined();
    expect(quality).toMatchObject({ statements: 8, reads: 4, withPidOnly: 8, timed: 8, sessions: 3 });
  });

  it("forgets a rolled-back write, and counts a read right after COMMIT as within the window", () => {
    const fp = new Fingerprinter();
    const own = new LogOwnWrites(fp, { windowMs: 1000 });
    for (const e of [
      event("20", 0, "begin"),
      event("20", 1, "delete from carts where id = 1"),
      event("20", 2, "rollback"),
      event("20", 3, "select * from carts where id = 1"),
      event("20", 10, "begin"),
      event("20", 11, "delete from carts where id = 1"),
      event("20", 12, "commit"),
      event("20", 13, "select * from carts where id = 1"),
    ])
      own.statement(e);
    expect(
      own.result().ownWrites.get(fp.shape("select * from carts where id = 2").fingerprint),
    ).toMatchObject({
      after: 1,
      seen: 2,
      inTransaction: 0,
      withinWindow: 1,
    });
  });

  it("tells transactions apart by %v when the log has no BEGIN", () => {
    const fp = new Fingerprinter();
    const own = new LogOwnWrites(fp, { windowMs: 0 });
    for (const e of [
      event("30", 0, "update orders set status = 'x' where id = 1", { vxid: "3/17" }),
      event("30", 1, "select * from orders where id = 1", { vxid: "3/17" }),
      // The next transaction, 5 s later: the write committed long ago.
      event("30", 5000, "select * from orders where id = 1", { vxid: "3/18" }),
      event("30", 5001, "select * from orders where id = 1", { vxid: "3/0" }),
    ])
      own.statement(e);
    expect(
      own.result().ownWrites.get(fp.shape("select * from orders where id = 2").fingerprint),
    ).toMatchObject({
      after: 1,
      seen: 3,
      inTransaction: 1,
      withinWindow: 0,
    });
  });

  it("without times only transactions count, and says so in its quality figures", () => {
    const fp = new Fingerprinter();
    const own = new LogOwnWrites(fp, { windowMs: 1000 });
    own.statement(event("40", null, "insert into orders (id) values (1)"));
    own.statement(event("40", null, "select * from orders where id = 1"));
    const { ownWrites, quality } = own.result();
    expect(ownWrites.get(fp.shape("select * from orders where id = 2").fingerprint)?.after).toBe(0);
    expect(quality.timed).toBe(0);
  });

  it("names the file each line is in when a session's read comes in the next log file after its write", () => {
    const fp = new Fingerprinter();
    const own = new LogOwnWrites(fp, { windowMs: 1000 });
    own.file = "postgresql-1.log";
    own.statement(event("50", 0, "update carts set n = 2 where id = 5", { line: 998 }));
    own.statement(event("50", 1, 'insert into "Order Items" (id) values (1)', { line: 999 }));
    own.file = "postgresql-2.log";
    own.statement(event("50", 2, "select * from carts where id = 5", { line: 1 }));
    own.statement(event("50", 3, "update carts set n = 3 where id = 5", { line: 2 }));
    own.statement(event("50", 4, "select * from carts where id = 5", { line: 3 }));
    own.statement(event("50", 5, 'select * from "Order Items" where id = 1', { line: 4 }));
    const examples = (q: string) => own.result().ownWrites.get(fp.shape(q).fingerprint)?.examples;
    const at = (file: string, line: number, ms: number) => ({
      kind: "log",
      file,
      line,
      time: T0 + ms,
      session: "50",
    });
    expect(examples("select * from carts where id = 1")).toEqual([
      { read: at("postgresql-2.log", 1, 2), write: at("postgresql-1.log", 998, 0) },
      { read: at("postgresql-2.log", 3, 4), write: at("postgresql-2.log", 2, 3) },
    ]);
    expect(examples('select * from "Order Items" where id = 2')).toEqual([
      { read: at("postgresql-2.log", 4, 5), write: at("postgresql-1.log", 999, 1) },
    ]);
  });
});
