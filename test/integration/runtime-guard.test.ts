/**
 * dbopt/runtime against a real PostgreSQL with real node-postgres, Kysely, Drizzle and Knex code: an N+1 loop (one
 * after another, and with Promise.all) is reported with its source and call site; the batched (DataLoader-style
 * = ANY / IN) and JOIN versions of the same page are not.
 */
import { createServer } from "node:http";
import { eq, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { bigint, numeric, pgTable, text } from "drizzle-orm/pg-core";
import knex from "knex";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createNPlusOneGuard, NPlusOneError, type RuntimeNPlusOne } from "../../src/runtime/index.js";
import { createTestDatabase, server, type TestDatabase } from "../support/servers.js";

const SETUP = `create table customers (id bigint primary key, name text not null);
  create table orders (id bigint primary key, customer_id bigint not null, total numeric(10,2) not null);
  insert into customers select g, 'customer ' || g from generate_series(1, 50) g;
  insert into orders select g, 1 + g % 50, g % 1000 from generate_series(1, 2000) g;
  create index on orders (customer_id);`;
const ONE = "select id, total from orders where customer_id = $1";
const LIST = "select id from customers order by id limit 10";

describe.each(server("pg15"))("dbopt/runtime on $name", (srv) => {
  let database: TestDatabase;
  const pools: pg.Pool[] = [];
  const newPool = () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    // Dropping the database at the end terminates idle connections a pool may still hold.
    pool.on("error", () => {});
    pools.push(pool);
    return pool;
  };

  beforeAll(async () => {
    database = await createTestDatabase(srv, SETUP);
  });
  afterAll(async () => {
    // Kysely.destroy() ends its own pool.
    await Promise.all(pools.filter((p) => !p.ended).map((p) => p.end()));
    await database?.drop();
  });

  const collect = () => createNPlusOneGuard({ mode: "collect", enabled: true });

  describe("node-postgres", () => {
    it("reports a sequential loop with its source, call site and rewrite", async () => {
      const guard = collect();
      const pool = guard.wrapPg(newPool());
      await guard.run("GET /customers", async () => {
        const { rows } = await pool.query<{ id: string }>(LIST);
        for (const c of rows) await pool.query(ONE, [c.id]);
      });
      expect(guard.found).toHaveLength(1);
      const [p] = guard.found as [RuntimeNPlusOne];
      expect(p).toMatchObject({
        unit: "GET /customers",
        source: "select id from customers order by id limit $1",
        repeated: ONE,
        count: 10,
        concurrent: false,
        rewrite: "SELECT customer_id, id, total FROM orders WHERE customer_id = ANY ($1)",
      });
      expect(p.exampleParameters[0]).toEqual(["1"]);
      expect(p.callSite).toMatch(/runtime-guard\.test\.ts:\d+:\d+/);
    });

    it("reports a Promise.all loop as concurrent", async () => {
      const guard = collect();
      const pool = guard.wrapPg(newPool());
      await guard.run("GET /customers?parallel", async () => {
        const { rows } = await pool.query<{ id: string }>(LIST);
        await Promise.all(rows.map((c) => pool.query(ONE, [c.id])));
      });
      expect(guard.found.map((p) => [p.count, p.concurrent])).toEqual([[10, true]]);
    });

    it("does not report the batched or the JOIN version", async () => {
      const guard = collect();
      const pool = guard.wrapPg(newPool());
      await guard.run("batched", async () => {
        const { rows } = await pool.query<{ id: string }>(LIST);
        await pool.query("select customer_id, id, total from orders where customer_id = any($1)", [
          rows.map((c) => c.id),
        ]);
      });
      await guard.run("join", () =>
        pool.query(
          "select c.id, o.total from (select id from customers order by id limit 10) c join orders o on o.customer_id = c.id",
        ),
      );
      expect(guard.found).toEqual([]);
    });

    it("counts queries on a checked-out client once, and keeps units of work apart", async () => {
      const guard = collect();
      const pool = guard.wrapPg(newPool());
      const loop = (unit: string, n: number) =>
        guard.run(unit, async () => {
          const client = await pool.connect();
          try {
            await client.query(LIST);
            for (let i = 1; i <= n; i++) await client.query(ONE, [i]);
          } finally {
            client.release();
          }
          // The pool may now run this on the released client: still one call, in this unit.
          await pool.query("select count(*) from customers");
        });
      await Promise.all([loop("job A", 6), loop("job B", 3)]);
      expect(guard.found.map((p) => [p.unit, p.count])).toEqual([["job A", 6]]);
    });

    it("throws NPlusOneError from run() in throw mode", async () => {
      const guard = createNPlusOneGuard({ mode: "throw", enabled: true });
      const pool = guard.wrapPg(newPool());
      const error = await guard
        .run("test: lists orders", async () => {
          for (let i = 1; i <= 5; i++) await pool.query(ONE, [i]);
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NPlusOneError);
      expect((error as Error).message).toMatch(
        /^dbopt: N\+1 in test: lists orders: 5× select id, total from orders/,
      );
    });

    it("does nothing when disabled", async () => {
      const guard = createNPlusOneGuard({ enabled: false });
      const pool = newPool();
      const query = pool.query;
      expect(guard.wrapPg(pool).query).toBe(query);
      await guard.run("off", async () => {
        for (let i = 1; i <= 6; i++) await pool.query(ONE, [i]);
      });
      expect(guard.found).toEqual([]);
    });

    it("scopes each HTTP request with the middleware", async () => {
      const warnings: string[] = [];
      const guard = createNPlusOneGuard({ enabled: true, log: (m) => warnings.push(m) });
      const pool = guard.wrapPg(newPool());
      const middleware = guard.middleware();
      const http = createServer((req, res) =>
        middleware(req, res, async () => {
          const { rows } = await pool.query<{ id: string }>(LIST);
          for (const c of rows) await pool.query(ONE, [c.id]);
          res.end("ok");
        }),
      );
      await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
      const { port } = http.address() as { port: number };
      await fetch(`http://127.0.0.1:${port}/customers/orders`).then((r) => r.text());
      await new Promise((r) => http.close(r));
      // The warning comes once the rewrite is written (the parser loads when a pattern is found).
      await vi.waitFor(() => expect(warnings).toHaveLength(1), { timeout: 30_000 });
      expect(warnings[0]).toMatch(/^dbopt: N\+1 in GET \/customers\/orders: 10× select id, total/);
    });
  });

  describe("Kysely", () => {
    interface Db {
      customers: { id: string; name: string };
      orders: { id: string; customer_id: string; total: string };
    }
    const kysely = (record: (sql: string, params: readonly unknown[]) => void) =>
      new Kysely<Db>({
        dialect: new PostgresDialect({ pool: newPool() }),
        log: (e) => {
          if (e.level === "query") record(e.query.sql, e.query.parameters);
        },
      });

    it("reports a loop through the log hook, not the IN or JOIN versions", async () => {
      const guard = collect();
      const db = kysely((sql, params) => guard.record(sql, params));
      const page = () => db.selectFrom("customers").select("id").orderBy("id").limit(10).execute();
      await guard.run("loop", async () => {
        for (const c of await page())
          await db.selectFrom("orders").select(["id", "total"]).where("customer_id", "=", c.id).execute();
      });
      await guard.run("in", async () => {
        const ids = (await page()).map((c) => c.id);
        await db
          .selectFrom("orders")
          .select(["customer_id", "id", "total"])
          .where("customer_id", "in", ids)
          .execute();
      });
      await guard.run("join", () =>
        db
          .selectFrom("customers")
          .innerJoin("orders", "orders.customer_id", "customers.id")
          .select(["customers.id", "orders.total"])
          .where("customers.id", "<=", "10")
          .execute(),
      );
      await db.destroy();
      expect(guard.found.map((p) => [p.unit, p.count, p.repeated, p.concurrent])).toEqual([
        ["loop", 10, 'select "id", "total" from "orders" where "customer_id" = $1', false],
      ]);
      expect(guard.found[0]?.source).toBe('select "id" from "customers" order by "id" limit $1');
    });

    it("reports the same loop through a wrapped pool", async () => {
      const guard = collect();
      const db = new Kysely<Db>({ dialect: new PostgresDialect({ pool: guard.wrapPg(newPool()) }) });
      await guard.run("loop", async () => {
        const customers = await db.selectFrom("customers").select("id").orderBy("id").limit(7).execute();
        await Promise.all(
          customers.map((c) =>
            db.selectFrom("orders").select("id").where("customer_id", "=", c.id).execute(),
          ),
        );
      });
      await db.destroy();
      expect(guard.found.map((p) => [p.count, p.concurrent])).toEqual([[7, true]]);
    });
  });

  describe("Drizzle", () => {
    const customers = pgTable("customers", {
      id: bigint("id", { mode: "number" }).primaryKey(),
      name: text("name"),
    });
    const orders = pgTable("orders", {
      id: bigint("id", { mode: "number" }).primaryKey(),
      customerId: bigint("customer_id", { mode: "number" }).notNull(),
      total: numeric("total"),
    });

    it("reports a loop through the logger, not the inArray or JOIN versions", async () => {
      const guard = collect();
      const db = drizzle({
        client: newPool(),
        logger: { logQuery: (sql, params) => guard.record(sql, params) },
      });
      const page = () => db.select({ id: customers.id }).from(customers).orderBy(customers.id).limit(10);
      await guard.run("loop", async () => {
        for (const c of await page())
          await db
            .select({ id: orders.id, total: orders.total })
            .from(orders)
            .where(eq(orders.customerId, c.id));
      });
      await guard.run("inArray", async () => {
        const ids = (await page()).map((c) => c.id);
        await db.select().from(orders).where(inArray(orders.customerId, ids));
      });
      await guard.run("join", () =>
        db
          .select({ id: customers.id, total: orders.total })
          .from(customers)
          .innerJoin(orders, eq(orders.customerId, customers.id)),
      );
      expect(guard.found.map((p) => [p.unit, p.count, p.repeated])).toEqual([
        ["loop", 10, 'select "id", "total" from "orders" where "orders"."customer_id" = $1'],
      ]);
      expect(guard.found[0]?.rewrite).toBe(
        "SELECT orders.customer_id, id, total FROM orders WHERE orders.customer_id = ANY ($1)",
      );
    });
  });

  describe("Knex", () => {
    it("reports a loop through its query events, not the whereIn or JOIN versions", async () => {
      const guard = collect();
      const db = knex({ client: "pg", connection: database.url, pool: { min: 0, max: 4 } });
      db.on("query", (q: { sql: string; bindings?: unknown[] }) => guard.record(q.sql, q.bindings));
      const page = () => db("customers").select("id").orderBy("id").limit(10);
      try {
        await guard.run("loop", async () => {
          for (const c of await page()) await db("orders").select("id", "total").where("customer_id", c.id);
        });
        await guard.run("whereIn", async () => {
          const ids = (await page()).map((c: { id: string }) => c.id);
          await db("orders").select("customer_id", "id", "total").whereIn("customer_id", ids);
        });
        await guard.run("join", () =>
          db("customers")
            .join("orders", "orders.customer_id", "customers.id")
            .select("customers.id", "orders.total"),
        );
      } finally {
        await db.destroy();
      }
      expect(guard.found.map((p) => [p.unit, p.count, p.repeated])).toEqual([
        ["loop", 10, 'select "id", "total" from "orders" where "customer_id" = $1'],
      ]);
    });
  });
});
