-- An expert's index set for the three OLTP workloads of bench/advisor-oltp.ts (statements in workloads.ts),
-- written by hand from the statements and the data's shape. Bench setup, not user advice: plain CREATE INDEX.

-- SaaS a1: tenant_id = $1 AND status = 'open' ORDER BY created_at DESC LIMIT 50. 'open' is a constant every call
-- repeats and 3% of the rows: a partial index holds those only, keyed tenant then the sort column, so the 50
-- newest come off its end with no sort and no filtered-out heap rows.
create index ticket_open_by_tenant on ticket (tenant_id, created_at) where status = 'open';
-- SaaS a2: tenant_id = $1 AND assignee_id = $2 ORDER BY created_at DESC LIMIT 50: both equalities, then the
-- sort column.
create index ticket_tenant_assignee on ticket (tenant_id, assignee_id, created_at);
-- SaaS a3: tenant_id = $1 AND priority IN (1, 2) ORDER BY created_at DESC LIMIT 50. Two values of the IN list
-- cannot come in one order from (tenant, priority, created_at), but the index reads just the tenant's ~250
-- matching entries and the sort of those is cheap. (A first version here, (tenant_id, created_at) INCLUDE
-- (priority) to walk the tenant's newest tickets, measured 18-38 ms a call: the planner did not take it.)
create index ticket_tenant_priority on ticket (tenant_id, priority, created_at);
-- SaaS a4: login, tenant_id = $1 AND lower(email) = lower($2): the tenant, then the expression.
create index tenant_user_tenant_email on tenant_user (tenant_id, lower(email));
-- SaaS a5: count(*) of a tenant's pending tickets: a partial index on the 5% pending, an index-only count.
create index ticket_pending_by_tenant on ticket (tenant_id) where status = 'pending';

-- Shop b1: a customer's orders, ORDER BY created_at DESC LIMIT 20; b5 counts the customer's pending or paid
-- orders: (customer_id, created_at) serves b1 in order; status included so b5 is answered from the index.
create index shop_order_customer_created on shop_order (customer_id, created_at) include (status, total);
-- Shop b2: the work queue, status = 'pending' ORDER BY created_at LIMIT 100: 1% of the rows, always 'pending'.
create index shop_order_pending on shop_order (created_at) where status = 'pending';
-- Shop b3: an order's items: order_id, covering what the page shows, an index-only scan.
create index order_item_order on order_item (order_id) include (product_id, qty, price);
-- Shop b4: a category's products by price, LIMIT 50.
create index product_category_price on product (category_id, price);
-- Shop b6: a cart, cart_item by customer_id, joined to product by its primary key.
create index cart_item_customer on cart_item (customer_id) include (product_id, qty);

-- Events c1: account_id = $1 AND occurred_at in a day ORDER BY occurred_at: the equality, then the range, kind
-- carried for an index-only scan.
create index event_account_time on event (account_id, occurred_at) include (kind);
-- Events c2: latest 10 of a device: device_id, then the sort column.
create index event_device_time on event (device_id, occurred_at);
-- Events c3 (account, last hour, count by kind) is served by event_account_time. c4 (a time range over all
-- accounts) is one BRIN: the rows are stored in time order, a few pages of summaries instead of a 40 MB B-tree.
create index event_time_brin on event using brin (occurred_at);
