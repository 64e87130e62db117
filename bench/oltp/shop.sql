-- E-commerce: orders by customer and status, a work queue on the few open statuses, catalogue browsing, carts.
create table product (
  id bigint primary key, category_id int not null, name text not null, price numeric(10,2) not null
);
insert into product
select g, 1 + (g % 500), 'product ' || g, round((5 + (g * 37 % 1000) / 3.0)::numeric, 2)
from generate_series(1::bigint, (100000 * :scale)::int) g;

create table shop_order (
  id bigint primary key, customer_id bigint not null, status text not null, created_at timestamptz not null,
  total numeric(10,2) not null
);
-- 100k customers, 10 orders each on average; 1% pending, 2% paid, the rest shipped/delivered/cancelled.
insert into shop_order
select g, 1 + ((g * 104729) % (100000 * :scale)::int),
       case when g % 100 = 0 then 'pending' when g % 100 < 3 then 'paid' when g % 100 < 10 then 'shipped'
            when g % 100 < 12 then 'cancelled' else 'delivered' end,
       timestamptz '2025-01-01' + g * interval '30 seconds', (g % 500) + 0.99
from generate_series(1::bigint, (1000000 * :scale)::int) g;

create table order_item (
  id bigint primary key, order_id bigint not null, product_id bigint not null, qty int not null,
  price numeric(10,2) not null
);
insert into order_item
select g, 1 + ((g * 7) % (1000000 * :scale)::int), 1 + (g * 13 % (100000 * :scale)::int), 1 + g % 3,
       (g % 200) + 0.5
from generate_series(1::bigint, (2500000 * :scale)::int) g;

create table cart_item (
  id bigint primary key, customer_id bigint not null, product_id bigint not null, qty int not null,
  added_at timestamptz not null
);
insert into cart_item
select g, 1 + ((g * 31) % (100000 * :scale)::int), 1 + (g * 17 % (100000 * :scale)::int), 1 + g % 2,
       timestamptz '2026-01-01' + g * interval '1 minute'
from generate_series(1::bigint, (300000 * :scale)::int) g;
