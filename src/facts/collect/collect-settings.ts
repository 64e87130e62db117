import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { SettingFacts } from "../snapshot.js";

type Row = Record<string, unknown>;

/** Settings dbopt's own session changes (postgres-connector.ts): report what the server would give anyone else. */
const SET_BY_DBOPT = new Set([
  "statement_timeout",
  "lock_timeout",
  "idle_in_transaction_session_timeout",
  "default_transaction_read_only",
  "application_name",
  "transaction_read_only",
]);

/** Every server setting with its unit, where it came from, and whether a restart is pending. */
export async function collectSettings(db: PostgresConnector): Promise<SettingFacts[]> {
  const rows = await db.query<Row>(
    "select name, setting, unit, source, boot_val, reset_val, pending_restart, context, vartype from pg_settings order by name",
  );
  return rows.map((r) => ({
    name: String(r.name),
    setting: String((SET_BY_DBOPT.has(String(r.name)) ? r.reset_val : r.setting) ?? ""),
    unit: (r.unit as string | null) ?? null,
    source: String(r.source),
    bootValue: (r.boot_val as string | null) ?? null,
    resetValue: (r.reset_val as string | null) ?? null,
    pendingRestart: Boolean(r.pending_restart),
    context: String(r.context),
    vartype: String(r.vartype),
  }));
}
