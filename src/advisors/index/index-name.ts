/**
 * The names dbopt gives the indexes it builds (dbopt_<table>_<columns>_<hash of the definition>): the same
 * definition always gets the same name, so a later run finds what an earlier one built or left half-built.
 */
import { createHash } from "node:crypto";

/** PostgreSQL truncates identifiers to 63 bytes. */
const MAX_NAME = 63;

/** The name dbopt gives the index a recommendation builds: the same definition always gets the same name. */
export function dboptIndexName(r: { ddl: string; table: string }): string {
  const hash = createHash("sha1").update(canonicalDefinition(r.ddl)).digest("hex").slice(0, 8);
  const columns = /\(([\s\S]*)\)/.exec(r.ddl.replace(/\s+WHERE\s[\s\S]*$/i, ""))?.[1] ?? "";
  const words = `${r.table}_${columns}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return `dbopt_${words.slice(0, MAX_NAME - "dbopt_".length - 9).replace(/_+$/, "")}_${hash}`;
}

/**
 * A definition without its name, CONCURRENTLY, quoting, spacing and the default method: what two CREATE INDEX
 * statements (or a statement and pg_get_indexdef) have in common when they build the same index.
 */
export function canonicalDefinition(ddl: string): string {
  const m =
    /^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?:(?:"[^"]+"|[^\s"]+)\s+)??ON\s+(?:ONLY\s+)?((?:"[^"]+"|[^\s("])+)\s*(?:USING\s+(\w+)\s*)?([\s\S]*?);?\s*$/i.exec(
      ddl,
    );
  if (!m) return ddl.trim().toLowerCase();
  const [, unique, table = "", method, rest = ""] = m;
  const bare = (t: string) => t.replace(/"/g, "").toLowerCase();
  const relation = bare(table).replace(/^public\./, "");
  return [
    unique ? "unique" : "",
    relation,
    (method ?? "btree").toLowerCase(),
    // pg_get_indexdef adds casts to literals ('x'::text) and parentheses around a WHERE: neither changes the index.
    bare(rest)
      .replace(/[\s()]+/g, "")
      .replace(/::[a-z_0-9]+(\[\])*/g, ""),
  ].join("|");
}
