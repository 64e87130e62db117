import { isExistingTable } from "../../facts/migration/migration-set.js";
import { ident, literal, type SqlText, sql } from "../../util/sql-text.js";
import { columnConstraints, columnType, defaultVolatility } from "./column-def.js";
import { alterTableCommands, type MigrationHit, migrationRule } from "./migration-rule.js";
import { relationSql, typeSource } from "./statement-text.js";

type Node = Record<string, unknown>;

/** The serial pseudo-types and the integer type each stands for. */
const SERIAL: Record<string, SqlText> = {
  serial: sql`integer`,
  serial4: sql`integer`,
  bigserial: sql`bigint`,
  serial8: sql`bigint`,
  smallserial: sql`smallint`,
  serial2: sql`smallint`,
};

/**
 * ADD COLUMN is a catalog change, unless every existing row needs its own value: a volatile default, a serial or
 * identity column, a stored generated column. Then the table is rewritten under ACCESS EXCLUSIVE.
 */
export const addColumnRewrite = migrationRule({
  id: "migration/add-column-rewrite",
  title: "Added column rewrites the table",
  description:
    "Since PostgreSQL 11 a column added with a constant or STABLE default (now()) costs a catalog update. A VOLATILE default (random(), gen_random_uuid(), clock_timestamp()), a serial or identity column, or a STORED generated column computes a value per row: the whole table is rewritten while reads and writes wait.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES",
  check(st) {
    const hits: MigrationHit[] = [];
    for (const { table, rel, cmd } of alterTableCommands(st)) {
      if (cmd.subtype !== "AT_AddColumn" || !table || !isExistingTable(st, table)) continue;
      const def = (cmd.def as Node).ColumnDef as Node;
      const column = String(def.colname);
      const type = columnType(def);
      const constraints = columnConstraints(def);
      const fallback = constraints.find((c) => c.contype === "CONSTR_DEFAULT");
      const volatility = fallback ? defaultVolatility(fallback.raw_expr) : { kind: "safe" as const };
      const serial = SERIAL[type?.name ?? ""];
      const why = serial
        ? `${type?.name} fills every existing row from a sequence`
        : constraints.some((c) => c.contype === "CONSTR_IDENTITY")
          ? "an identity column fills every existing row from a sequence"
          : constraints.some((c) => c.contype === "CONSTR_GENERATED" && c.generated_kind === "s")
            ? "a STORED generated column is computed for every existing row"
            : volatility.kind === "volatile"
              ? `the default ${volatility.fn}() is VOLATILE: it is evaluated for every existing row`
              : null;
      const base = { table, lock: "AccessExclusiveLock" as const, rewrite: true };
      const t = relationSql(rel);
      const plainType = serial ?? typeSource(st, def.typeName as Node | undefined);
      if (why) {
        hits.push({
          ...base,
          severity: "error",
          title: `Adding ${column} rewrites ${table}`,
          detail: `${why}, so ${table} is rewritten while reads and writes wait (ACCESS EXCLUSIVE).`,
          fix: {
            ...(t && plainType
              ? { sql: sql`ALTER TABLE ${t} ADD COLUMN ${ident(column)} ${plainType};` }
              : {}),
            note: "Add the column without the per-row value (nullable, or a constant default), then set the default for new rows (ALTER COLUMN ... SET DEFAULT) and backfill existing rows in batches (UPDATE ... WHERE id BETWEEN ... in short transactions).",
          },
        });
      } else if (volatility.kind === "unknown") {
        hits.push({
          ...base,
          severity: "warning",
          title: `Adding ${column} rewrites ${table} if ${volatility.fn}() is VOLATILE`,
          detail: `The default calls ${volatility.fn}(). If that function is VOLATILE it is evaluated per row and ${table} is rewritten under ACCESS EXCLUSIVE; if STABLE or IMMUTABLE, the column is added instantly.`,
          fix: {
            note: `Check with: SELECT provolatile FROM pg_proc WHERE proname = ${literal(volatility.fn ?? "")}; ('v' rewrites). If volatile, add the column without the default and backfill in batches.`,
          },
        });
      }
    }
    return hits;
  },
});
