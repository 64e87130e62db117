import { relationName, relationParts } from "../../facts/migration/lock-model.js";
import {
  isExistingTable,
  type MigrationFacts,
  type MigrationStatement,
  normaliseTable,
} from "../../facts/migration/migration-set.js";
import { ident, sql } from "../../util/sql-text.js";
import { type ColumnType, columnType, typeText } from "./column-def.js";
import { alterTableCommands, type MigrationHit, migrationRule } from "./migration-rule.js";
import { ownStatement, relationSql } from "./statement-text.js";

type Node = Record<string, unknown>;

/**
 * ALTER COLUMN TYPE rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE, except for the changes
 * PostgreSQL knows need no new bytes (binary-coercible): varchar(n) to a longer varchar or to text, a numeric with
 * more precision and the same scale, cidr to inet. Shortening a varchar needs no rewrite but checks every row.
 */
export const alterColumnType = migrationRule({
  id: "migration/alter-column-type",
  title: "Column type change rewrites the table",
  description:
    "ALTER COLUMN ... TYPE rewrites the table and every index on it while reads and writes wait, unless the change is binary-coercible (varchar(n) → varchar(m ≥ n) or text, numeric(p, s) → numeric(q ≥ p, s), cidr → inet). The old type comes from earlier statements of the set, or from the database with --db.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES",
  check(st, facts) {
    const hits: MigrationHit[] = [];
    for (const { table, rel, cmd } of alterTableCommands(st)) {
      if (cmd.subtype !== "AT_AlterColumnType" || !table || !isExistingTable(st, table)) continue;
      const column = String(cmd.name);
      const def = (cmd.def as Node).ColumnDef as Node;
      const to = columnType(def);
      if (!to) continue;
      const from = previousType(facts, st, table, column);
      // USING "col"::newtype (what Django emits) is the cast PostgreSQL would apply anyway: a binary-coercible
      // change stays without a rewrite. Any other expression computes new values for every row.
      const verdict =
        def.raw_default && !plainCast(def.raw_default, column, to) ? "rewrite" : judge(from, to);
      if (verdict === "safe") continue;
      const base = { table, lock: "AccessExclusiveLock" as const };
      const expand = {
        note: `Expand and contract: add a new column of type ${typeText(to)}, keep it in step with a trigger, backfill it in batches, switch the application over, then drop the old column.`,
      };
      const t = relationSql(rel);
      const limit = to.mods[0];
      const check = ident(`${relationParts(rel)?.name ?? table}_${column}_length`);
      if (verdict === "timezone")
        hits.push({
          ...base,
          severity: "warning",
          rewrite: true,
          title: `${table}.${column} to ${typeText(to)} rewrites ${table} unless the session time zone is UTC`,
          detail: `${from ? typeText(from) : "timestamp"} → ${typeText(to)} keeps the stored values only when TimeZone is UTC (PostgreSQL 12+; measured: the table's file stays the same under UTC and is rewritten under Europe/Paris). In any other zone every row is converted and the table rewritten while reads and writes wait.`,
          fix: {
            ...(t
              ? {
                  sql: sql`SET timezone = 'UTC';
${ownStatement(st)}
RESET timezone;`,
                }
              : {}),
            note: "Under UTC the existing values are read as UTC instants: right when the application stored UTC wall-clock times (the usual case). If they were local times, convert them instead (expand and contract).",
          },
        });
      else if (verdict === "scan")
        hits.push({
          ...base,
          severity: "error",
          scan: true,
          title: `${table}.${column} to ${typeText(to)} checks every row under an exclusive lock`,
          detail: `${from ? typeText(from) : "The old type"} → ${typeText(to)} needs no rewrite, but every value is checked against the new limit while reads and writes wait.`,
          fix: {
            ...(t && limit !== undefined
              ? {
                  sql: sql`ALTER TABLE ${t} ADD CONSTRAINT ${check} CHECK (char_length(${ident(column)}) <= ${limit}) NOT VALID;\nALTER TABLE ${t} VALIDATE CONSTRAINT ${check};`,
                }
              : {}),
            note: "Enforce the limit with a CHECK added NOT VALID and validated separately (no blocking scan), and keep the column type as it is.",
          },
        });
      else
        hits.push({
          ...base,
          severity: verdict === "rewrite" ? "error" : "warning",
          rewrite: true,
          title:
            verdict === "rewrite"
              ? `${table}.${column} to ${typeText(to)} rewrites ${table} and its indexes`
              : `${table}.${column} to ${typeText(to)} rewrites ${table} unless the old type is binary-coercible to it`,
          detail:
            verdict === "rewrite"
              ? `${from ? `${typeText(from)} → ${typeText(to)}` : "A USING expression"} stores new bytes: the table and every index on it are rewritten while reads and writes wait.`
              : `dbopt does not know the column's current type (give --db or a --schema dump to read it). Unless it is binary-coercible to ${typeText(to)}, the table and its indexes are rewritten under ACCESS EXCLUSIVE.`,
          fix: expand,
        });
    }
    return hits;
  },
});

const TEXTLIKE = new Set(["varchar", "text"]);

/** Types whose typmod is a fractional-seconds precision: raising it (or dropping it) stores no new bytes. */
const PRECISION = new Set(["timestamp", "timestamptz", "time", "timetz", "interval"]);

function judge(
  from: ColumnType | null,
  to: ColumnType,
): "safe" | "scan" | "rewrite" | "unknown" | "timezone" {
  if (!from) return "unknown";
  if (from.array !== to.array) return "rewrite";
  if (from.name === to.name && from.mods.join() === to.mods.join()) return "safe";
  // Precision 6 is the default (and the maximum) when none is written.
  const wider = to.mods.length === 0 || (from.mods[0] ?? 6) <= (to.mods[0] ?? 6);
  if (PRECISION.has(from.name) && from.name === to.name && from.name !== "interval")
    return wider ? "safe" : "rewrite";
  const zones = new Set([from.name, to.name]);
  if (zones.has("timestamp") && zones.has("timestamptz") && zones.size === 2 && wider) return "timezone";
  if (TEXTLIKE.has(from.name) && TEXTLIKE.has(to.name)) {
    if (to.name === "text" || to.mods.length === 0) return "safe";
    if (from.name === "varchar" && from.mods.length && (to.mods[0] ?? 0) >= (from.mods[0] ?? 0))
      return "safe";
    return "scan";
  }
  if (from.name === "numeric" && to.name === "numeric") {
    if (to.mods.length === 0) return "safe";
    const [p = 0, s = 0] = from.mods;
    const [q = 0, t = 0] = to.mods;
    return from.mods.length && q >= p && t === s ? "safe" : "rewrite";
  }
  if (
    from.name === "varbit" &&
    to.name === "varbit" &&
    (to.mods.length === 0 || (to.mods[0] ?? 0) >= (from.mods[0] ?? 0))
  )
    return "safe";
  if (from.name === "cidr" && to.name === "inet") return "safe";
  return "rewrite";
}

/** The column's type before this statement: from the set's own CREATE TABLE / ADD COLUMN / TYPE, else the database. */
function previousType(
  facts: MigrationFacts,
  st: MigrationStatement,
  table: string,
  column: string,
): ColumnType | null {
  let found: ColumnType | null = facts.columnTypes?.get(normaliseTable(table))?.get(column) ?? null;
  for (const earlier of facts.statements) {
    if (earlier === st) break;
    const create = earlier.stmt.CreateStmt as Node | undefined;
    const created = relationName(create?.relation);
    if (create && created && normaliseTable(created) === normaliseTable(table))
      for (const e of (create.tableElts as Node[]) ?? []) {
        const def = e.ColumnDef as Node | undefined;
        if (def?.colname === column) found = columnType(def);
      }
    for (const { table: t, cmd } of alterTableCommands(earlier)) {
      if (!t || normaliseTable(t) !== normaliseTable(table)) continue;
      const def = (cmd.def as Node | undefined)?.ColumnDef as Node | undefined;
      if (cmd.subtype === "AT_AddColumn" && def?.colname === column) found = columnType(def);
      if (cmd.subtype === "AT_AlterColumnType" && cmd.name === column) found = columnType(def);
    }
  }
  return found;
}

/** USING col, or USING col::type where type is the column's new type. */
function plainCast(expr: unknown, column: string, to: ColumnType): boolean {
  const node = expr as Node;
  const cast = node.TypeCast as Node | undefined;
  const ref = ((cast?.arg as Node | undefined) ?? node).ColumnRef as Node | undefined;
  const fields = ((ref?.fields as Node[]) ?? []).map((f) => (f.String as Node | undefined)?.sval);
  if (fields.length !== 1 || fields[0] !== column) return false;
  if (!cast) return true;
  const type = columnType({ typeName: cast.typeName });
  return !!type && typeText(type) === typeText(to);
}
