/**
 * The statements of the three OLTP workloads (schemas and data: saas.sql, shop.sql, events.sql), each with its
 * calls per 1,000 requests and how its parameters are drawn. Parameters are substituted as literals: the bench
 * runs them with EXPLAIN ANALYZE and hands them to dbopt as a workload file.
 */
export interface OltpStatement {
  id: string;
  workload: "saas" | "shop" | "events";
  purpose: string;
  /** Calls per 1,000 requests of the mix. */
  calls: number;
  sql: string;
  draw: (random: () => number, scale: number) => string[];
}

const int = (random: () => number, n: number) => String(1 + Math.floor(random() * n));
const day = (random: () => number, days: number) =>
  `'${new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * days) * 86_400_000).toISOString()}'`;

export const OLTP_STATEMENTS: OltpStatement[] = [
  {
    id: "a1",
    workload: "saas",
    purpose: "a tenant's open tickets, newest first",
    calls: 200,
    sql: "select id, subject, created_at from ticket where tenant_id = $1 and status = 'open' order by created_at desc limit 50",
    draw: (r) => [int(r, 2000)],
  },
  {
    id: "a2",
    workload: "saas",
    purpose: "an agent's tickets in a tenant",
    calls: 150,
    sql: "select id, subject, status, created_at from ticket where tenant_id = $1 and assignee_id = $2 order by created_at desc limit 50",
    draw: (r, s) => [int(r, 2000), int(r, 40000 * s)],
  },
  {
    id: "a3",
    workload: "saas",
    purpose: "a tenant's urgent tickets (IN list)",
    calls: 100,
    sql: "select id, subject, priority, created_at from ticket where tenant_id = $1 and priority in (1, 2) order by created_at desc limit 50",
    draw: (r) => [int(r, 2000)],
  },
  {
    id: "a4",
    workload: "saas",
    purpose: "login by tenant and email",
    calls: 100,
    sql: "select id, name from tenant_user where tenant_id = $1 and lower(email) = lower($2)",
    draw: (r, s) => {
      const u = Math.floor(r() * 40000 * s) + 1;
      return [String(1 + (u % 2000)), `'User${u}@T${1 + (u % 2000)}.example'`];
    },
  },
  {
    id: "a5",
    workload: "saas",
    purpose: "count of a tenant's pending tickets",
    calls: 50,
    sql: "select count(*) from ticket where tenant_id = $1 and status = 'pending'",
    draw: (r) => [int(r, 2000)],
  },
  {
    id: "b1",
    workload: "shop",
    purpose: "a customer's latest orders",
    calls: 150,
    sql: "select id, status, total, created_at from shop_order where customer_id = $1 order by created_at desc limit 20",
    draw: (r, s) => [int(r, 100000 * s)],
  },
  {
    id: "b2",
    workload: "shop",
    purpose: "work queue: oldest pending orders",
    calls: 50,
    sql: "select id, customer_id, created_at from shop_order where status = 'pending' order by created_at limit 100",
    draw: () => [],
  },
  {
    id: "b3",
    workload: "shop",
    purpose: "an order's items",
    calls: 150,
    sql: "select product_id, qty, price from order_item where order_id = $1",
    draw: (r, s) => [int(r, 1000000 * s)],
  },
  {
    id: "b4",
    workload: "shop",
    purpose: "a category's cheapest products",
    calls: 100,
    sql: "select id, name, price from product where category_id = $1 order by price limit 50",
    draw: (r) => [int(r, 500)],
  },
  {
    id: "b5",
    workload: "shop",
    purpose: "a customer's open orders count",
    calls: 50,
    sql: "select count(*) from shop_order where customer_id = $1 and status in ('pending', 'paid')",
    draw: (r, s) => [int(r, 100000 * s)],
  },
  {
    id: "b6",
    workload: "shop",
    purpose: "a customer's cart with products",
    calls: 100,
    sql: "select c.product_id, c.qty, p.name, p.price from cart_item c join product p on p.id = c.product_id where c.customer_id = $1",
    draw: (r, s) => [int(r, 100000 * s)],
  },
  {
    id: "c1",
    workload: "events",
    purpose: "an account's events of one day",
    calls: 100,
    sql: "select id, kind, occurred_at from event where account_id = $1 and occurred_at >= $2 and occurred_at < $2::timestamptz + interval '1 day' order by occurred_at",
    draw: (r, s) => [int(r, 5000), day(r, Math.max(1, Math.floor(46 * s)))],
  },
  {
    id: "c2",
    workload: "events",
    purpose: "a device's latest 10 events",
    calls: 200,
    sql: "select id, kind, occurred_at, payload from event where device_id = $1 order by occurred_at desc limit 10",
    draw: (r) => [String(10 + Math.floor(r() * 50000))],
  },
  {
    id: "c3",
    workload: "events",
    purpose: "an account's events by kind in a 2-hour window",
    calls: 50,
    sql: "select kind, count(*) from event where account_id = $1 and occurred_at >= $2 and occurred_at < $2::timestamptz + interval '2 hours' group by kind",
    draw: (r, s) => [int(r, 5000), day(r, Math.max(1, Math.floor(46 * s)))],
  },
  {
    id: "c4",
    workload: "events",
    purpose: "all events of ten minutes (export)",
    calls: 5,
    sql: "select count(*), max(id) from event where occurred_at >= $1 and occurred_at < $1::timestamptz + interval '10 minutes'",
    draw: (r, s) => [day(r, Math.max(1, Math.floor(46 * s)))],
  },
];

/** The statement with its parameters in place, largest number first so $1 does not eat $10. */
export function substitute(text: string, values: string[]): string {
  let out = text;
  for (let i = values.length; i >= 1; i--) out = out.replaceAll(`$${i}`, values[i - 1] as string);
  return out;
}
