import { describe, expect, it } from "vitest";
import type { LogRecord } from "./log-record.js";
import { NPlusOneDetector, transactionControl } from "./n-plus-one.js";

const LIST = "select id from customers order by id limit 20";
const ONE = "select id, total from orders where customer_id = $1";

function record(time: number): LogRecord {
  return {
    time,
    pid: "1",
    user: null,
    database: null,
    application: null,
    session: null,
    vxid: null,
    level: "LOG",
    sqlstate: null,
    message: "",
    detail: null,
    statement: null,
  };
}

/** Feed (session, fingerprint, parameters) steps 1 ms apart; queries are named by their fingerprint. */
function detect(steps: Array<[string, string, string | null]>, options = { minRepeats: 5, maxGapMs: 1000 }) {
  const d = new NPlusOneDetector(options);
  let t = 0;
  for (const [session, fp, params] of steps) {
    t += fp === "PAUSE" ? 5000 : 1;
    if (fp === "PAUSE") continue;
    d.statement(session, fp, { sql: fp, durationMs: 2, parameters: params, record: record(t) });
  }
  d.end();
  return d.patterns((fp) => fp);
}

const loop = (session: string, n: number, from = 1): Array<[string, string, string | null]> => [
  [session, LIST, null],
  ...Array.from({ length: n }, (_, i): [string, string, string] => [session, ONE, `$1 = '${from + i}'`]),
];

describe("NPlusOneDetector", () => {
  it("reports a loop after its source, with repeats per occurrence and time wasted", () => {
    const found = detect([...loop("a", 20), ...loop("a", 6, 21), ...loop("a", 10, 27)]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      source: { query: LIST },
      repeated: { query: ONE },
      occurrences: 3,
      repeats: { min: 6, median: 10, max: 20 },
      totalMs: 72,
      wastedMs: 64.8,
      inTransaction: 0,
    });
    expect(found[0]?.exampleParameters[0]).toBe("$1 = '1'");
  });

  it("does not report runs shorter than minRepeats", () => {
    expect(detect(loop("a", 4))).toEqual([]);
  });

  it("does not report the batched or the JOIN version of the same page", () => {
    expect(
      detect([
        ["a", LIST, null],
        ["a", "select ... = any($1)", "$1 = '{1,2,3}'"],
      ]),
    ).toEqual([]);
    expect(detect([["a", "select c.id, o.total from customers c join orders o ...", null]])).toEqual([]);
  });

  it("does not report one statement repeated with the same values (polling, retries)", () => {
    const same = Array.from({ length: 10 }, (): [string, string, string] => ["a", ONE, "$1 = '7'"]);
    expect(detect([["a", LIST, null], ...same])).toEqual([]);
  });

  it("keeps sessions apart when their lines interleave", () => {
    const a = loop("a", 6);
    const b = loop("b", 6, 100);
    const mixed = a.flatMap((step, i) => [step, b[i] as [string, string, string | null]]);
    expect(detect(mixed)[0]?.occurrences).toBe(2);
  });

  it("ends a run at a pause longer than maxGapMs", () => {
    const first = loop("a", 3);
    const rest = loop("a", 3, 4).slice(1);
    expect(detect([...first, ["a", "PAUSE", null], ...rest])).toEqual([]);
  });

  it("needs a different statement before the run: a loop with no source is not an N+1", () => {
    expect(detect(loop("a", 8).slice(1))).toEqual([]);
  });
});

describe("NPlusOneDetector across parts of a log (worker threads)", () => {
  it("finds the same patterns wherever the log is split", () => {
    const steps = [
      ...loop("a", 7),
      ...loop("b", 5, 50),
      ...loop("a", 9, 10),
      ["a", "PAUSE", null],
      ...loop("a", 6, 30),
    ] as Array<[string, string, string | null]>;
    const whole = detect(steps);
    expect(whole[0]?.occurrences).toBe(4);
    const feed = (d: NPlusOneDetector, part: typeof steps, t0: number) => {
      let t = t0;
      for (const [session, fp, params] of part) {
        t += fp === "PAUSE" ? 5000 : 1;
        if (fp !== "PAUSE")
          d.statement(session, fp, { sql: fp, durationMs: 2, parameters: params, record: record(t) });
      }
      return t;
    };
    for (let cut = 0; cut <= steps.length; cut++) {
      const first = new NPlusOneDetector();
      const second = new NPlusOneDetector(undefined, true);
      const t = feed(first, steps.slice(0, cut), 0);
      feed(second, steps.slice(cut), t);
      first.merge(second.state());
      first.end();
      expect(
        first.patterns((fp) => fp),
        `split at ${cut}`,
      ).toEqual(whole);
    }
  });
});

describe("NPlusOneDetector and transactions", () => {
  it("counts the runs inside BEGIN ... COMMIT apart from autocommit runs", () => {
    const found = detect([["a", "BEGIN", null], ...loop("a", 6), ["a", "COMMIT", null], ...loop("a", 7, 10)]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ occurrences: 2, inTransaction: 1 });
  });

  it("gives consecutive autocommit statements after a COMMIT their source as it is: the rule judges it", () => {
    const steps: Array<[string, string, string | null]> = [
      ["a", "BEGIN", null],
      ["a", LIST, null],
      ["a", "COMMIT", null],
      ...Array.from({ length: 8 }, (_, i): [string, string, string] => ["a", ONE, `$1 = '${i}'`]),
    ];
    expect(detect(steps)[0]).toMatchObject({ source: { query: "COMMIT" }, inTransaction: 0 });
  });

  it("reads a run inside one virtual transaction id (%v) as one transaction, new ids as autocommit", () => {
    const d = new NPlusOneDetector();
    const at = (t: number, vxid: string) => ({ ...record(t), vxid });
    d.statement("a", LIST, { sql: LIST, durationMs: 1, parameters: null, record: at(1, "3/7") });
    for (let i = 0; i < 6; i++)
      d.statement("a", ONE, { sql: ONE, durationMs: 1, parameters: `$1 = '${i}'`, record: at(2 + i, "3/7") });
    d.statement("a", LIST, { sql: LIST, durationMs: 1, parameters: null, record: at(20, "3/8") });
    for (let i = 0; i < 6; i++)
      d.statement("a", ONE, {
        sql: ONE,
        durationMs: 1,
        parameters: `$1 = '${i}'`,
        record: at(21 + i, `3/${9 + i}`),
      });
    d.end();
    expect(d.patterns((fp) => fp)[0]).toMatchObject({ occurrences: 2, inTransaction: 1 });
  });

  it.each([
    ["BEGIN", 1],
    ["  start transaction isolation level serializable", 1],
    ["COMMIT", -1],
    ["end", -1],
    ["rollback", -1],
    ["ROLLBACK TO SAVEPOINT a", 0],
    ["commit prepared 'x'", 0],
    ["select 1", 0],
    ["ending_soon()", 0],
  ])("transactionControl(%s) = %d", (sql, expected) => {
    expect(transactionControl(sql)).toBe(expected);
  });
});

describe("NPlusOneDetector on a long log", () => {
  it("closes a quiet session's run only after the reader could hand over its last statement (repeats.min)", () => {
    // A run of 25, its last statement held back (as StderrLogReader holds a process's last message) while
    // more than a sweep's worth of other sessions' statements go by.
    const d = new NPlusOneDetector();
    const other = (t: number) => ({ sql: "select 2", durationMs: 1, parameters: null, record: record(t) });
    d.statement("a", LIST, { sql: LIST, durationMs: 1, parameters: null, record: record(1) });
    for (let i = 0; i < 24; i++)
      d.statement("a", ONE, { sql: ONE, durationMs: 1, parameters: `$1 = '${i}'`, record: record(2 + i) });
    for (let i = 0; i < 70_000; i++) d.statement(`s${i % 50}`, `q${i % 2}`, other(100 + i));
    d.statement("a", ONE, { sql: ONE, durationMs: 1, parameters: "$1 = '24'", record: record(26) });
    for (let i = 0; i < 70_000; i++) d.statement(`s${i % 50}`, `q${i % 2}`, other(70_100 + i));
    d.end();
    const found = d.patterns((fp) => fp).find((p) => p.repeated.fingerprint === ONE);
    expect(found?.repeats).toEqual({ min: 25, median: 25, max: 25 });
  });
});
