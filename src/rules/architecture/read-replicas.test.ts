import { beforeAll, describe, expect, it } from "vitest";
import { scalingFacts, statementOf } from "../../../test/support/scaling-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { defaultOptions } from "../rule.js";
import { readReplicas } from "./read-replicas.js";

beforeAll(loadSqlParser);

const run = (facts: Parameters<typeof readReplicas.check>[0]) =>
  readReplicas.check(facts, defaultOptions(readReplicas));

describe("architecture/read-replicas", () => {
  it("splits the reads into lag-tolerant, reading their own writes, and undecided", () => {
    const [f] = run(
      scalingFacts({
        tracesRead: true,
        statements: [
          statementOf("select * from products where category = $1", 5000, 6000, {
            ownWrites: { after: 0, seen: 300 },
          }),
          statementOf("select * from orders where id = $1", 800, 1000, {
            ownWrites: { after: 120, seen: 400 },
          }),
          statementOf("select count(*) from reviews where product_id = $1", 100, 1000),
          statementOf("update orders set status = $1 where id = $2", 900, 2000),
          statementOf("select nextval('orders_id_seq')", 900, 50),
        ],
      }),
    );
    expect(f?.evidence).toMatchObject({
      readStatements: 3,
      lagTolerantStatements: 1,
      readsOwnWritesStatements: 1,
      undecidedStatements: 1,
    });
    expect(f?.evidence.lagTolerantShare).toBeCloseTo(6000 / 10050, 3);
    expect(f?.detail).toMatch(/must stay on the primary/);
    expect(f?.detail).toMatch(/call nextval\(\)/);
    expect(f?.timeMs).toBe(7000);
  });

  it("takes the user's word for lag tolerance", () => {
    const [f] = run(
      scalingFacts({
        statements: [
          statementOf("select * from products where id = $1", 10, 500, { lagTolerant: true }),
          statementOf("insert into carts values ($1)", 10, 200),
        ],
      }),
    );
    expect(f?.evidence.lagTolerantStatements).toBe(1);
    expect(f?.detail).toMatch(/marked by you/);
  });

  it("says nothing for a write-heavy workload", () => {
    expect(
      run(
        scalingFacts({
          statements: [
            statementOf("select 1", 10, 10),
            statementOf("insert into events values ($1)", 10_000, 5000),
          ],
        }),
      ),
    ).toEqual([]);
  });

  it("reads the logs' counts like the traces', and offers the runs that did not follow a write to a sticky replica", () => {
    const [f] = run(
      scalingFacts({
        logsRead: true,
        ownWriteWindowMs: 1000,
        statements: [
          statementOf("select abalance from pgbench_accounts where aid = $1", 31_464, 800, {
            ownWrites: { after: 1985, seen: 31_464, inTransaction: 1985, withinWindow: 0 },
          }),
          statementOf("select * from products where id = $1", 100, 200, {
            ownWrites: { after: 0, seen: 100, inTransaction: 0, withinWindow: 0 },
          }),
          statementOf("update pgbench_accounts set abalance = abalance + $1 where aid = $2", 1985, 500),
        ],
      }),
    );
    expect(f?.evidence).toMatchObject({ readsOwnWritesStatements: 1, lagTolerantStatements: 1 });
    expect(f?.detail).toMatch(/1 reads their own writes in the logs/);
    expect(f?.detail).toMatch(/\(1985 of 31464 runs: 1985 in the writing transaction\)/);
    expect(f?.detail).toMatch(/never reading their own writes in the logs/);
    expect(f?.detail).toMatch(/Kept on the primary for 1\.00 s after a session writes/);
    // 800 ms × 29,479 / 31,464 of 1,500 ms.
    expect(f?.evidence.stickyPrimaryShare).toBeCloseTo((800 * (1 - 1985 / 31_464)) / 1500, 3);
  });
});
