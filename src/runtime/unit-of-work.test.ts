import { describe, expect, it } from "vitest";
import { withRewrites } from "./batched-rewrites.js";
import { callSite, UnitOfWork } from "./unit-of-work.js";

describe("UnitOfWork", () => {
  it("finds a shape repeated with different values after its source", () => {
    const u = new UnitOfWork("job", false);
    u.begin("SELECT * FROM users LIMIT 3", [])();
    for (const id of [1, 2, 3, 4, 5]) u.begin("SELECT * FROM posts WHERE user_id = $1", [id])();
    expect(u.patterns(5)).toEqual([
      {
        unit: "job",
        source: "select * from users limit $1",
        repeated: "select * from posts where user_id = $1",
        count: 5,
        concurrent: false,
        exampleParameters: [[1], [2], [3]],
        callSite: null,
        rewrite: null,
      },
    ]);
  });

  it("ignores the same values repeated (a poll or a retry), and shapes under minRepeats", () => {
    const u = new UnitOfWork("job", false);
    for (let i = 0; i < 8; i++) u.begin("select pg_advisory_lock($1)", [42])();
    for (let i = 0; i < 4; i++) u.begin("select * from t where id = $1", [i])();
    expect(u.patterns(5)).toEqual([]);
  });

  it("marks repeats issued while one of the same shape runs as concurrent", () => {
    const u = new UnitOfWork("job", false);
    const pending = [1, 2, 3, 4, 5].map((id) => u.begin("select * from t where id = $1", [id]));
    for (const done of pending) done();
    expect(u.patterns(5)[0]?.concurrent).toBe(true);
  });

  it("never calls a logger's untimed repeats concurrent", () => {
    const u = new UnitOfWork("job", false);
    for (const id of [1, 2, 3, 4, 5]) u.begin("select * from t where id = $1", [id], false);
    expect(u.patterns(5)[0]?.concurrent).toBe(false);
  });
});

describe("withRewrites", () => {
  it("writes the N+1 rule's batched statement for each pattern, loading the parser only then", async () => {
    const u = new UnitOfWork("job", false);
    for (const id of [1, 2, 3, 4, 5]) u.begin("SELECT * FROM posts WHERE user_id = $1", [id], false);
    expect((await withRewrites(u.patterns(5), "postgres"))[0]?.rewrite).toBe(
      "SELECT * FROM posts WHERE user_id = ANY ($1)",
    );
  });

  it("batches a MySQL driver's ? placeholders into IN (?)", async () => {
    const u = new UnitOfWork("job", false);
    for (const id of [1, 2, 3, 4, 5]) u.begin("SELECT name FROM users WHERE id = ?", [id], false);
    expect((await withRewrites(u.patterns(5), "mysql"))[0]).toMatchObject({
      repeated: "select name from users where id = ?",
      rewrite: "SELECT id, name FROM users WHERE id IN (?)",
    });
  });
});

describe("callSite", () => {
  it("skips dbopt's runtime, drivers and Node internals", () => {
    const stack = [
      "Error",
      "    at UnitOfWork.begin (/app/node_modules/dbopt/dist/runtime/unit-of-work.js:60:52)",
      "    at Pool.query (/app/node_modules/pg-pool/index.js:12:3)",
      "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
      "    at listOrders (/app/src/orders.ts:41:18)",
    ].join("\n");
    expect(callSite(stack)).toBe("listOrders (/app/src/orders.ts:41:18)");
  });
});
