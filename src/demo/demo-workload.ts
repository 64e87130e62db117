import type pg from "pg";
import { DEMO_TABLE_ROWS } from "./demo-schema.sql.js";

/** One kind of request the demo application makes, and how many times the demo makes it. */
export interface DemoRequest {
  name: string;
  /** What the application does, in a few words, for the demo's explanation. */
  story: string;
  times: number;
  run(client: pg.ClientBase, i: number): Promise<void>;
}

/** A fixed pseudo-random sequence, so every demo run sends the same requests. */
function pick(i: number, salt: number, modulo: number): number {
  return 1 + (((i * 2654435761 + salt * 40503) >>> 0) % modulo);
}

const { customers, tenants, orders } = DEMO_TABLE_ROWS;

export const DEMO_REQUESTS: DemoRequest[] = [
  {
    name: "login",
    story: "log-in looks a customer up by e-mail, case-insensitively",
    times: 120,
    async run(client, i) {
      const id = pick(i, 1, customers);
      const email = `${id % 3 === 0 ? "USER" : "user"}${id}@${["example.com", "mail.test", "shop.dev"][id % 3]}`;
      await client.query("SELECT id, tenant_id, full_name FROM customers WHERE lower(email) = lower($1)", [
        email,
      ]);
    },
  },
  {
    name: "order history",
    story: "a customer's last 20 orders, newest first",
    times: 60,
    async run(client, i) {
      await client.query(
        "SELECT id, status, total, created_at FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20",
        [pick(i, 2, customers)],
      );
    },
  },
  {
    name: "recent orders page (N+1)",
    story: "the back office lists 50 recent orders, then loads each order's customer one query at a time",
    times: 60,
    async run(client, i) {
      const page = await client.query<{ customer_id: number }>(
        "SELECT id, customer_id, total FROM orders WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT 50",
        [pick(i, 3, tenants)],
      );
      for (const row of page.rows) {
        await client.query("SELECT id, full_name, email FROM customers WHERE id = $1", [row.customer_id]);
      }
    },
  },
  {
    name: "escalated tickets",
    story: "support sees a tenant's escalated tickets",
    times: 80,
    async run(client, i) {
      await client.query(
        "SELECT id, subject, created_at FROM tickets WHERE tenant_id = $1 AND status = 'escalated' ORDER BY created_at DESC LIMIT 20",
        [pick(i, 4, tenants)],
      );
    },
  },
  {
    name: "tenant dashboard",
    story: "a tenant's order totals of the last 30 days",
    times: 40,
    async run(client, i) {
      await client.query(
        "SELECT status, count(*), sum(total) FROM orders WHERE tenant_id = $1 AND created_at >= now() - interval '30 days' GROUP BY status",
        [pick(i, 5, tenants)],
      );
    },
  },
  {
    name: "orders by value, page 2000",
    story: "an admin pages through all orders by value with OFFSET",
    times: 4,
    async run(client, i) {
      await client.query(
        "SELECT id, customer_id, status, total FROM orders ORDER BY total DESC, id OFFSET $1 LIMIT 50",
        [100_000 + i * 50],
      );
    },
  },
  {
    name: "ship paid orders",
    story: "the warehouse marks paid orders as shipped",
    times: 300,
    async run(client, i) {
      await client.query(
        "UPDATE orders SET status = 'shipped', updated_at = now() WHERE id = $1 AND status = 'paid'",
        [pick(i, 6, orders)],
      );
    },
  },
];
