-- What a Dexter-style advisor proposes for the same statements: per statement, the one or two columns that its
-- most selective filters name, no ORDER BY column, no partial, no INCLUDE.
create index on ticket (tenant_id);
create index on ticket (tenant_id, assignee_id);
create index on tenant_user (tenant_id);
create index on shop_order (customer_id);
create index on shop_order (status);
create index on order_item (order_id);
create index on product (category_id);
create index on cart_item (customer_id);
create index on event (account_id, occurred_at);
create index on event (device_id);
create index on event (occurred_at);
