-- Multi-tenant SaaS help desk: every statement filters on tenant_id first. :scale is replaced by the bench.
create table tenant_user (
  id bigint primary key, tenant_id int not null, email text not null, name text not null, active boolean not null
);
insert into tenant_user
select g, 1 + (g % 2000), 'user' || g || '@t' || (1 + g % 2000) || '.example', 'User ' || g, g % 10 <> 0
from generate_series(1::bigint, (40000 * :scale)::int) g;

create table ticket (
  id bigint primary key, tenant_id int not null, assignee_id bigint not null, status text not null,
  priority smallint not null, created_at timestamptz not null, subject text not null
);
-- 2,000 tenants of uneven size; 3% of tickets open, 5% pending, the rest closed; priority 1-4.
insert into ticket
select g, 1 + ((g * 7919) % 2000), 1 + (g % (40000 * :scale)::int),
       case when g % 100 < 3 then 'open' when g % 100 < 8 then 'pending' else 'closed' end,
       1 + (g % 4), timestamptz '2026-01-01' + g * interval '20 seconds', 'subject ' || g
from generate_series(1::bigint, (1000000 * :scale)::int) g;
