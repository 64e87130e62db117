/** Reading a Snapshot: settings in their units, table storage parameters and lookups, counter age, object names. */
import type { IndexFacts, SettingFacts, Snapshot, TableFacts } from "./snapshot.js";

export function setting(snapshot: Snapshot, name: string): SettingFacts | undefined {
  return snapshot.settings.find((s) => s.name === name);
}

const UNIT_BYTES: Record<string, number> = {
  B: 1,
  kB: 1024,
  "8kB": 8192,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};
const UNIT_MS: Record<string, number> = {
  us: 0.001,
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** A memory setting in bytes (shared_buffers is stored in 8kB pages, work_mem in kB). */
export function settingBytes(snapshot: Snapshot, name: string): number | null {
  const s = setting(snapshot, name);
  if (!s) return null;
  const factor = UNIT_BYTES[s.unit ?? "B"];
  return factor === undefined ? null : Number(s.setting) * factor;
}

/** A time setting in milliseconds; -1 and 0 keep their meaning (disabled). */
export function settingMs(snapshot: Snapshot, name: string): number | null {
  const s = setting(snapshot, name);
  if (!s) return null;
  const value = Number(s.setting);
  return value <= 0 ? value : value * (UNIT_MS[s.unit ?? "ms"] ?? 1);
}

export function settingNumber(snapshot: Snapshot, name: string): number | null {
  const s = setting(snapshot, name);
  return s ? Number(s.setting) : null;
}

/** A boolean storage parameter: PostgreSQL accepts on/off, true/false, yes/no, 1/0. */
export function tableFlag(table: TableFacts, name: string): boolean | null {
  const value = tableOption(table, name);
  if (value === null) return null;
  return ["on", "true", "yes", "1"].includes(value.toLowerCase());
}

/** A storage parameter of a table (WITH (fillfactor = 70)), or null. */
export function tableOption(table: TableFacts, name: string): string | null {
  const entry = table.options.find((o) => o.startsWith(`${name}=`));
  return entry ? entry.slice(name.length + 1) : null;
}

/** Seconds the statistics counters have been collecting: since the later of server start and stats reset. */
export function statsAgeSeconds(snapshot: Snapshot): number | null {
  const since = [snapshot.server.startedAt, snapshot.database.statsResetAt]
    .filter((t): t is string => t !== null)
    .map((t) => Date.parse(t))
    .reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  if (!Number.isFinite(since)) return null;
  return Math.max(0, (Date.parse(snapshot.capturedAt) - since) / 1000);
}

export function qualified(schema: string, name: string): string {
  return `${schema}.${name}`;
}

export function indexObject(index: IndexFacts): string {
  return qualified(index.schema, index.name);
}

export function tableObject(table: { schema: string; name: string }): string {
  return qualified(table.schema, table.name);
}

export function tableOf(snapshot: Snapshot, schema: string, name: string): TableFacts | undefined {
  return snapshot.tables.find((t) => t.schema === schema && t.name === name);
}
