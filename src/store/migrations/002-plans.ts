/**
 * Store schema version 2: generic plans of the top statements, one row per distinct plan shape (plan-shape.ts),
 * and which shape each sample saw, so a plan change shows as a new shape_hash from one sample to the next.
 */
export const PLANS_MIGRATION = `
create table dbopt_store.plan (
  id bigint generated always as identity primary key,
  statement_id bigint not null references dbopt_store.statement on delete cascade,
  shape_hash text not null,
  -- dbopt's plan model (facts/plan/plan-model.ts) of the first plan seen with this shape
  plan jsonb not null,
  first_seen timestamptz not null,
  unique (statement_id, shape_hash)
);

create table dbopt_store.plan_sample (
  target_id bigint not null,
  taken_at timestamptz not null,
  statement_id bigint not null,
  plan_id bigint not null,
  total_cost float8,
  primary key (target_id, taken_at, statement_id)
) partition by range (taken_at);
`;
