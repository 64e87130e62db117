import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { SettingFacts } from "../snapshot.js";

type Row = Record<string, unknown>;

/** Every server setting with its unit, where it came from, and whether a restart is pending. */
export async function collectSettings(db: PostgresConnector): Promise<SettingFacts[]> {
  const rows = await db.query<Row>(
    "select name, setting, unit, source, boot_val, reset_val, pending_restart, context, vartype from pg_settings order by name",
  );
  return rows.map((r) => ({
    name: String(r.name),
    setting: String(r.setting ?? ""),
    unit: (r.unit as string | null) ?? null,
    source: String(r.source),
    bootValue: (r.boot_val as string | null) ?? null,
    resetValue: (r.reset_val as string | null) ?? null,
    pendingRestart: Boolean(r.pending_restart),
    context: String(r.context),
    vartype: String(r.vartype),
  }));
}
