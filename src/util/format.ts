/** Human-readable figures for reports: "12.3 ms", "1.2 s", "3.4 MB", "12,345". */

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "-";
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(3)} ms`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return "-";
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return "-";
  const r = Math.round(n);
  // toLocaleString loads ICU's number formatting on its first call, ~40 ms of a short run (dbopt logs on a small
  // log with an N+1): the separators by hand for the integers it writes as digits, toLocaleString for the rest.
  if (!Number.isSafeInteger(r) || Object.is(r, -0)) return r.toLocaleString("en-US");
  const digits = String(Math.abs(r)).replace(/\B(?=(\d{3})+$)/g, ",");
  return r < 0 ? `-${digits}` : digits;
}

export function formatPercent(share: number | null | undefined, digits = 0): string {
  if (share === null || share === undefined) return "-";
  return `${(share * 100).toFixed(digits)}%`;
}

export function formatFactor(factor: number): string {
  return factor >= 100 ? `${Math.round(factor).toLocaleString("en-US")}×` : `${factor.toFixed(1)}×`;
}

/** Round a memory need up to a setting people write: 4MB, 8MB, ... 1GB, 2GB. */
export function roundMemorySetting(bytes: number): string {
  let mb = 1;
  while (mb * 1024 * 1024 < bytes) mb *= 2;
  return mb >= 1024 ? `${mb / 1024}GB` : `${mb}MB`;
}

/** Round for evidence values: enough digits to be exact to a reader, few enough to read. */
export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/**
 * The server as a report header names it: a PostgreSQL version ("15.20 (Debian ...)") gets its engine's name; a
 * MySQL or MariaDB report's version already starts with it ("MariaDB 10.11.9-MariaDB-0+deb12u1", "MySQL 8.0.36").
 */
export function serverName(version: string): string {
  return /^(mysql|mariadb) /i.test(version) ? version : `PostgreSQL ${version}`;
}

/** "3 days", "5 hours", "1 hour", "40 seconds": how long, in the unit people use for it. */
export function formatAge(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (seconds >= 2 * 86_400) return plural(Math.round(seconds / 86_400), "day");
  if (seconds >= 3600) return plural(Math.round(seconds / 3600), "hour");
  if (seconds >= 120) return plural(Math.round(seconds / 60), "minute");
  return plural(Math.round(seconds), "second");
}

/** Text on one line, whitespace runs as one space, cut to `max` characters with `mark` at the end. */
export function oneLine(text: string, max: number, mark: "…" | "..." = "…"): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - mark.length)}${mark}` : flat;
}
