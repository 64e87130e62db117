import type { TargetIdentity } from "./read-target-sample.js";
import type { StoreConnection } from "./store-connection.js";

/**
 * The store's id of a target reached: by its cluster's system identifier and database name, not its URL (a
 * target reached through another host name or a pooler is the same target). A row made for the same address
 * while it was unreachable (a gap before any sample) becomes this target's row.
 */
export async function targetId(
  store: StoreConnection,
  identity: TargetIdentity,
  address: string,
  seenAt: Date,
): Promise<number> {
  if (identity.systemIdentifier === null)
    return addressTarget(store, address, identity.database, identity, seenAt);
  const params = [identity.systemIdentifier, identity.database, address, identity.serverVersion, seenAt];
  await store.query(
    `update dbopt_store.target set system_identifier = $1, server_version = $4, last_seen = $5
      where id = (select id from dbopt_store.target
                   where address = $3 and database_name = $2 and system_identifier is null order by id limit 1)
        and not exists (select from dbopt_store.target where system_identifier = $1 and database_name = $2)`,
    params,
  );
  const [row] = await store.query<{ id: number }>(
    `insert into dbopt_store.target (system_identifier, database_name, address, server_version, first_seen, last_seen)
     values ($1, $2, $3, $4, $5, $5)
     on conflict (system_identifier, database_name) where system_identifier is not null
     do update set address = excluded.address, server_version = excluded.server_version, last_seen = excluded.last_seen
     returning id`,
    params,
  );
  return Number(row?.id);
}

/**
 * A target known only by its address: one never reached (for its gaps) or one whose identifier cannot be read.
 * A target reached before at that address keeps its gaps on its own row.
 */
export async function addressTarget(
  store: StoreConnection,
  address: string,
  database: string,
  identity: TargetIdentity | null,
  seenAt: Date,
): Promise<number> {
  const [known] = await store.query<{ id: number }>(
    "select id from dbopt_store.target where address = $1 order by last_seen desc limit 1",
    [address],
  );
  if (known) {
    if (identity)
      await store.query("update dbopt_store.target set server_version = $2, last_seen = $3 where id = $1", [
        known.id,
        identity.serverVersion,
        seenAt,
      ]);
    return Number(known.id);
  }
  const [row] = await store.query<{ id: number }>(
    `insert into dbopt_store.target (database_name, address, server_version, first_seen, last_seen)
     values ($1, $2, $3, $4, $4) returning id`,
    [database, address, identity?.serverVersion ?? null, seenAt],
  );
  return Number(row?.id);
}

/**
 * A database's target in the store, for reading it: by its cluster's system identifier and database name, else by
 * the address the collector stored (user@host:port/database), the identified row first, then the latest seen.
 */
export async function findTarget(
  store: StoreConnection,
  identity: TargetIdentity,
  address: string,
): Promise<{ id: number; address: string } | null> {
  const [row] = await store.query<{ id: string; address: string }>(
    `select id, address from dbopt_store.target
      where database_name = $2 and (system_identifier::text = $1 or address = $3)
      order by (system_identifier::text = $1) desc nulls last, last_seen desc nulls last limit 1`,
    [identity.systemIdentifier, identity.database, address],
  );
  return row ? { id: Number(row.id), address: row.address } : null;
}
