import { describe, expect, it } from "vitest";
import type { LogRecord } from "./log-record.js";
import { batched, NPlusOneDetector } from "./n-plus-one.js";

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
      rewrite: "select customer_id, id, total from orders where customer_id = ANY($1)",
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

describe("batched", () => {
  it.each([
    ["select * from users where id = $1", "select * from users where id = ANY($1)"],
    [
      "select id, total from orders where customer_id = $1",
      "select customer_id, id, total from orders where customer_id = ANY($1)",
    ],
    [
      'select o.id from orders o where o."customerId" = $1',
      'select o."customerId", o.id from orders o where o."customerId" = ANY($1)',
    ],
    [
      "select id from orders where customer_id = $1 order by id desc limit $2",
      "select batch.value, per_value.* from unnest($1) as batch(value) cross join lateral (select id from orders where customer_id = batch.value order by id desc limit $2) as per_value",
    ],
    ["select * from t where a = $1 and b = $2", "select * from t where a = ANY($1) and b = $2"],
    ["update t set a = $1 where id = $2", null],
    ["select * from t where a > $1", null],
  ])("%s → %s", (query, expected) => {
    expect(batched(query)).toBe(expected);
  });
});
