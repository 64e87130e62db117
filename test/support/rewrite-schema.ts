/** The generated schema dbopt rewrite's integration tests prove rewrites on (PostgreSQL 15). */

/** 200 customers with 1,000 orders each, 19,800 without; orders spread over 85 days, one row per 37 s. */
export const REWRITE_SCHEMA = `
create table customers (id bigint primary key, email text not null, region text not null);
insert into customers select g, 'c' || g || '@example.com', (array['eu', 'us', 'apac'])[1 + g % 3]
  from generate_series(1, 20000) g;
create index customers_email on customers (email);
create table orders (
  id bigint primary key,
  customer_id bigint not null references customers,
  coupon_id bigint,
  ref text not null,
  created_at timestamp not null,
  qty integer not null
);
insert into orders
select g, 1 + g % 200, case when g % 50 = 0 then null else g % 500 end, 'R-' || g,
       timestamp '2024-01-01' + g * interval '37 seconds', g % 1000
  from generate_series(1, 200000) g;
create index orders_customer on orders (customer_id);
create index orders_ref on orders (ref);
create index orders_created on orders (created_at);
create index orders_qty on orders (qty);
`;
