import type { PgCapabilities } from "../../connectors/postgres/capabilities.js";
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { quoteIdent } from "../../util/sql-identifiers.js";
import type { ExactBloat, IndexFacts, TableFacts } from "../snapshot.js";
import { num } from "./user-schemas.js";

type Row = Record<string, unknown>;

/**
 * Exact bloat figures from pgstattuple (tables) and pgstatindex (B-trees) for relations of at least `minBytes`.
 * Both read the whole relation, which is why they run only when asked for.
 */
export async function collectExactBloat(
  db: PostgresConnector,
  caps: PgCapabilities,
  tables: TableFacts[],
  indexes: IndexFacts[],
  minBytes: number,
): Promise<ExactBloat> {
  const schema = quoteIdent(caps.pgstattuple.schema ?? "public");
  const out: ExactBloat = { tables: [], indexes: [] };
  for (const t of tables.filter(
    (t) => (t.kind === "table" || t.kind === "matview") && t.sizeBytes >= minBytes,
  )) {
    const [r] = await db.query<Row>(`select * from ${schema}.pgstattuple($1::oid)`, [t.oid]);
    out.tables.push({
      schema: t.schema,
      name: t.name,
      tableBytes: num(r?.table_len),
      liveBytes: num(r?.tuple_len),
      deadBytes: num(r?.dead_tuple_len),
      freeBytes: num(r?.free_space),
    });
  }
  for (const i of indexes.filter((i) => i.method === "btree" && i.isValid && i.sizeBytes >= minBytes)) {
    const [r] = await db.query<Row>(`select * from ${schema}.pgstatindex($1::oid::regclass)`, [i.oid]);
    out.indexes.push({
      schema: i.schema,
      name: i.name,
      indexBytes: num(r?.index_size),
      avgLeafDensity: num(r?.avg_leaf_density),
      leafFragmentation: num(r?.leaf_fragmentation),
    });
  }
  return out;
}
