/** SQL condition that keeps user schemas and leaves out the catalogs, TOAST and temporary schemas. */
export function userSchemaFilter(namespaceAlias: string): string {
  return `${namespaceAlias}.nspname not in ('pg_catalog', 'information_schema') and ${namespaceAlias}.nspname !~ '^pg_(toast|temp_)'`;
}

/** Row values from pg arrive as strings for numeric/int8 columns and as null for missing stats. */
export function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

export function isoOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : String(value);
}
