import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { ColumnStats } from "../snapshot.js";
import { num, numOrNull } from "./user-schemas.js";

type Row = Record<string, unknown>;

/**
 * pg_stats for the columns that matter to dbopt: indexed columns, and columns whose names the workload's
 * statements mention. Collecting every column of a wide schema would bloat the snapshot for nothing.
 */
export async function collectColumnStats(
  db: PostgresConnector,
  wanted: Array<{ schema: string; table: string; column: string }>,
): Promise<ColumnStats[]> {
  if (wanted.length === 0) return [];
  const rows = await db.query<Row>(
    `select s.schemaname, s.tablename, s.attname, s.null_frac, s.avg_width, s.n_distinct, s.correlation,
            s.most_common_vals::text::text[] as mcv, s.most_common_freqs as mcf, s.histogram_bounds::text::text[] as hist
       from pg_stats s
       join unnest($1::text[], $2::text[], $3::text[]) w(schemaname, tablename, attname)
         using (schemaname, tablename, attname)
      where not s.inherited or exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
                                        where n.nspname = s.schemaname and c.relname = s.tablename and c.relkind = 'p')`,
    [wanted.map((w) => w.schema), wanted.map((w) => w.table), wanted.map((w) => w.column)],
  );
  return rows.map((r) => ({
    schema: String(r.schemaname),
    table: String(r.tablename),
    column: String(r.attname),
    nullFrac: num(r.null_frac),
    avgWidth: num(r.avg_width),
    nDistinct: num(r.n_distinct),
    correlation: numOrNull(r.correlation),
    mostCommonValues: (r.mcv as string[] | null) ?? null,
    mostCommonFreqs: (r.mcf as number[] | null)?.map(Number) ?? null,
    histogramBounds: (r.hist as string[] | null) ?? null,
  }));
}
