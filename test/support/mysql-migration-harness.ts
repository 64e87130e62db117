/** MySQL/MariaDB migration facts from SQL text, for the migration-mysql rule tests. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readDdl } from "../../src/facts/migration-mysql/mysql-ddl.js";
import { splitStatements } from "../../src/facts/migration-mysql/mysql-ddl-tokens.js";
import {
  type MysqlMigrationFacts,
  readMysqlMigrationSet,
} from "../../src/facts/migration-mysql/mysql-migration-set.js";
import type {
  KnownTable,
  MysqlStartingSchema,
} from "../../src/facts/migration-mysql/mysql-starting-schema.js";
import type { KnownColumn, ServerVersion } from "../../src/facts/migration-mysql/online-ddl-support.js";
import type { Finding } from "../../src/findings/finding.js";
import { defaultOptions, type Rule } from "../../src/rules/rule.js";
import { checkMysqlSql } from "../../src/util/mysql-sql-check.js";
import { createMariadbDatabase } from "./mariadb.js";

export const MYSQL_8_0_35: ServerVersion = { flavour: "mysql", version: [8, 0, 35] };
export const MYSQL_8_0_20: ServerVersion = { flavour: "mysql", version: [8, 0, 20] };
export const MARIADB_10_11: ServerVersion = { flavour: "mariadb", version: [10, 11, 6] };

export function knownTable(
  name: string,
  bytes: number,
  columns: Record<string, Partial<KnownColumn> & { type: string }> = {},
  parts: Partial<KnownTable> = {},
): KnownTable {
  return {
    schema: "shop",
    name,
    bytes,
    rows: Math.round(bytes / 100),
    charset: "utf8mb4",
    hasFulltext: false,
    columns: new Map(
      Object.entries(columns).map(([n, c]) => [
        n.toLowerCase(),
        { notNull: false, bytesPerChar: null, ...c },
      ]),
    ),
    ...parts,
  };
}

export function mysqlMigration(
  sql: string,
  server: ServerVersion = MYSQL_8_0_35,
  tables: KnownTable[] | null = null,
): MysqlMigrationFacts {
  const dir = mkdtempSync(join(tmpdir(), "dbopt-mysql-rule-"));
  const file = join(dir, "001.sql");
  writeFileSync(file, sql);
  const schema: MysqlStartingSchema | null = tables ? { server, database: "shop", tables } : null;
  return readMysqlMigrationSet(
    [{ file, applied: false }],
    server,
    schema,
    tables ? { host: "db.internal", port: 3306, user: "deploy" } : null,
  );
}

/** Run one rule with its defaults (and overrides); every fix SQL is checked by the MySQL lexer as runRules does. */
export function runMysqlMigrationRule(
  // biome-ignore lint/suspicious/noExplicitAny: each rule's own options
  rule: Rule<MysqlMigrationFacts, any>,
  facts: MysqlMigrationFacts,
  options: Record<string, number> = {},
): Finding[] {
  const found = rule.check(facts, { ...defaultOptions(rule), ...options });
  for (const f of found) if (f.fix?.sql) checkMysqlSql(f.fix.sql, 1);
  for (const f of found)
    if (f.fix?.sql && facts.server.flavour === "mariadb") printedMariadbFixes.push(String(f.fix.sql));
  return found;
}

/** The MariaDB fixes runMysqlMigrationRule printed since the last mariadbFailedFixes(). */
const printedMariadbFixes: string[] = [];

/**
 * Runs every MariaDB fix printed so far (then forgets them) on the local MariaDB, each on a new table of the shape
 * it needs (the fix's table with columns id, a, b, v; RANGE partitions p0-p3, or HASH for partitions added by
 * count), and returns those that fail, each with the server's error. A fix this harness cannot build a table for
 * (not an ALTER TABLE or CREATE INDEX) is run with none: then only a parse error (1064) counts as failing.
 */
export async function mariadbFailedFixes(): Promise<string[]> {
  const fixes = printedMariadbFixes.splice(0);
  const db = await createMariadbDatabase();
  const failed: string[] = [];
  try {
    for (const fix of fixes) {
      const table = scratchTableFor(fix);
      try {
        if (table) await db.run(table.create);
        await db.run(fix);
      } catch (error) {
        const e = error as { errno?: number; message?: string };
        if (table || e.errno === 1064) failed.push(`${fix}: ${e.message}`);
      } finally {
        if (table) await db.run(`DROP TABLE IF EXISTS ${table.name}`);
      }
    }
  } finally {
    await db.drop();
  }
  if (!fixes.length) failed.push("no MariaDB fix was printed: the tests above print none");
  return failed;
}

function scratchTableFor(fix: string): { name: string; create: string } | null {
  const [st] = splitStatements(fix, MARIADB_10_11);
  const ddl = st ? readDdl(st.tokens, fix) : null;
  if (ddl?.kind !== "alter-table" || ddl.table.schema) return null;
  const name = `\`${ddl.table.name.replace(/`/g, "``")}\``;
  const partitions = ddl.operations.filter((op) => op.kind === "partition");
  const range = [0, 1, 2].map((n) => `PARTITION p${n} VALUES LESS THAN (${(n + 1) * 10})`);
  const partitioning = partitions.some(
    (op) => op.kind === "partition" && (op.hashed || /COALESCE/.test(op.action)),
  )
    ? " PARTITION BY HASH (id) PARTITIONS 4"
    : partitions.length
      ? ` PARTITION BY RANGE (id) (${[...range, "PARTITION p3 VALUES LESS THAN MAXVALUE"].join(", ")})`
      : "";
  return {
    name,
    create: `CREATE TABLE ${name} (id INT PRIMARY KEY, a INT, b VARCHAR(50), v INT)${partitioning}`,
  };
}
