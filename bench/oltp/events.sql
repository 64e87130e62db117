-- Event log: append-only, rows stored in time order, read by account and time range and latest-N per device.
create table event (
  id bigint primary key, account_id int not null, device_id int not null, kind smallint not null,
  occurred_at timestamptz not null, payload text not null
);
-- 5,000 accounts with 10 devices each; one event every 2 seconds from 2026-01-01.
insert into event
select g, a, a * 10 + (g % 10), (g % 12)::smallint, timestamptz '2026-01-01' + g * interval '2 seconds',
       'payload ' || g
from generate_series(1::bigint, (2000000 * :scale)::int) g, lateral (select 1 + ((g * 48271) % 5000) as a) x;
