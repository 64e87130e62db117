/**
 * Every SQL fix `dbopt migrate lint` prints, for objects with awkward names (mixed case, spaces, quotes, names
 * written to break out of their quotes), in public and in a schema of the same awkward name: linted with the
 * starting schema read from a real database, then RUN statement by statement (CONCURRENTLY outside a transaction,
 * as a migration runner would) on PostgreSQL 15 and 18, and checked in the catalog: it did what it says to the
 * named object, left the look-alike (the name folded to lower case) alone, and the canary table survived.
 * A migration rule whose fixes carry SQL must have a case here.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresConnector } from "../../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import type { Finding } from "../../src/findings/finding.js";
import { lintMigrations } from "../../src/pipeline/lint-migrations.js";
import { MIGRATION_RULES } from "../../src/rules/registry.js";
import { quoteIdent } from "../../src/util/sql-identifiers.js";
import { loadSqlParser, parseSql } from "../../src/util/sql-parser.js";
import { AWKWARD_NAMES } from "../support/awkward-names.js";
import { availableServers, createTestDatabase, type TestDatabase } from "../support/servers.js";

/** The names of one case, raw and as a user would write them in a migration. */
interface Names {
  pgVersion: number;
  schema: string;
  table: string;
  column: string;
  /** Quoted, schema-qualified when the case runs outside public (the way the migration writes them). */
  T: string;
  P: string;
  C: string;
  /** A second column, and names for an index and constraints. */
  added: string;
  index: string;
  fk: string;
  unique: string;
  check: string;
  /** Where the index lives, qualified, for DROP INDEX and REINDEX INDEX. */
  I: string;
  /** A partitioned table and one of its partitions, raw and quoted. */
  parted: string;
  part: string;
  PT: string;
  PC: string;
}

interface FixCase {
  /** The migration, as a user would write it. */
  migration(n: Names): string;
  /** What the schema holds before the migration, beyond the table and its referenced table. */
  setup?(n: Names): string;
  /** The part of the migration that stays as written and runs before the fix. */
  before?(n: Names): string;
  /** How many findings with SQL the migration gets from the rule. */
  findings?: number;
  verify(c: pg.Client, n: Names): Promise<void>;
}

const q = quoteIdent;

async function one<T>(c: pg.Client, text: string, values: unknown[] = []): Promise<T | undefined> {
  return (await c.query(text, values)).rows[0] as T | undefined;
}

const tableOid =
  "(select c.oid from pg_class c join pg_namespace s on s.oid = c.relnamespace where s.nspname = $1 and c.relname = $2)";

async function columnOf(c: pg.Client, n: Names, column: string) {
  return one<{ type: string; notnull: boolean; hasdefault: boolean }>(
    c,
    `select format_type(atttypid, atttypmod) as type, attnotnull as notnull, atthasdef as hasdefault
       from pg_attribute where attrelid = ${tableOid} and attname = $3 and not attisdropped`,
    [n.schema, n.table, column],
  );
}

async function constraintOf(c: pg.Client, n: Names, name: string) {
  return one<{ type: string; validated: boolean }>(
    c,
    `select contype as type, convalidated as validated from pg_constraint where conrelid = ${tableOid} and conname = $3`,
    [n.schema, n.table, name],
  );
}

async function indexOf(c: pg.Client, n: Names, name: string) {
  return one<{ valid: boolean; table: string; filenode: string }>(
    c,
    `select x.indisvalid as valid, t.relname as table, i.relfilenode::text as filenode
       from pg_class i join pg_namespace s on s.oid = i.relnamespace join pg_index x on x.indexrelid = i.oid
       join pg_class t on t.oid = x.indrelid where s.nspname = $1 and i.relname = $2`,
    [n.schema, name],
  );
}

/** PostgreSQL folds an unquoted name to lower case: the object an unquoted fix would really touch. */
function lookAlike(name: string): string | null {
  const folded = name.toLowerCase();
  return folded !== name && /^[a-z_][a-z0-9_$]*$/.test(folded) ? folded : null;
}

const CASES: Record<string, FixCase> = {
  "migration/add-column-constraint": {
    findings: 2,
    migration: (n) =>
      [
        // Django's shape for a nullable ForeignKey and a unique CharField (see the django-widen-and-link fixture).
        `ALTER TABLE ${n.T} ADD COLUMN ${q(n.added)} bigint NULL CONSTRAINT ${q(n.fk)} REFERENCES ${n.P}("id") DEFERRABLE INITIALLY DEFERRED;`,
        `ALTER TABLE ${n.T} ADD COLUMN ${q(`${n.added}2`)} varchar(40) NULL UNIQUE;`,
      ].join("\n"),
    async verify(c, n) {
      expect(await columnOf(c, n, n.added)).toEqual({ type: "bigint", notnull: false, hasdefault: false });
      expect(await constraintOf(c, n, n.fk)).toEqual({ type: "f", validated: true });
      expect(await constraintOf(c, n, `${n.table}_${n.added}2_key`)).toEqual({ type: "u", validated: true });
    },
  },
  "migration/add-column-rewrite": {
    migration: (n) => `ALTER TABLE ${n.T} ADD COLUMN ${q(n.added)} uuid DEFAULT gen_random_uuid();`,
    async verify(c, n) {
      expect(await columnOf(c, n, n.added)).toEqual({ type: "uuid", notnull: false, hasdefault: false });
    },
  },
  "migration/add-not-null-column-without-default": {
    migration: (n) => `ALTER TABLE ${n.T} ADD COLUMN ${q(n.added)} numeric(12, 2) NOT NULL;`,
    async verify(c, n) {
      expect(await columnOf(c, n, n.added)).toEqual({
        type: "numeric(12,2)",
        notnull: false,
        hasdefault: false,
      });
    },
  },
  "migration/alter-column-type": {
    findings: 2,
    migration: (n) =>
      `ALTER TABLE ${n.T} ALTER COLUMN ${n.C} TYPE varchar(50);\nALTER TABLE ${n.T} ALTER COLUMN at TYPE timestamptz;`,
    async verify(c, n) {
      // Under UTC the stored instants are kept as they are: 12:00 read as 12:00 UTC.
      expect((await columnOf(c, n, "at"))?.type).toBe("timestamp with time zone");
      const at = await one<{ at: string }>(
        c,
        `select to_char(at at time zone 'UTC', 'HH24:MI') as at from ${n.T}`,
      );
      expect(at?.at).toBe("12:00");
      expect((await columnOf(c, n, n.column))?.type).toBe("character varying(100)");
      expect(await constraintOf(c, n, `${n.table}_${n.column}_length`)).toEqual({
        type: "c",
        validated: true,
      });
    },
  },
  "migration/constraint-validated-in-place": {
    findings: 3,
    migration: (n) =>
      [
        `ALTER TABLE ${n.T} ADD CHECK (char_length(${n.C}) > 0);`,
        `ALTER TABLE ${n.T} ADD CONSTRAINT ${q(n.fk)} FOREIGN KEY (other) REFERENCES ${n.P} (id);`,
        `ALTER TABLE ${n.T} ADD CONSTRAINT ${q(n.unique)} UNIQUE (${n.C});`,
      ].join("\n"),
    async verify(c, n) {
      expect(await constraintOf(c, n, `${n.table}_${n.column}_check`)).toEqual({
        type: "c",
        validated: true,
      });
      expect(await constraintOf(c, n, n.fk)).toEqual({ type: "f", validated: true });
      expect(await constraintOf(c, n, n.unique)).toEqual({ type: "u", validated: true });
    },
  },
  "migration/concurrent-index-retry": {
    // The index a failed earlier run left behind (PostgreSQL marks it INVALID; here it only has to exist).
    setup: (n) => `CREATE INDEX ${q(n.index)} ON ${n.T} (${n.C});`,
    migration: (n) => `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${q(n.index)} ON ${n.T} (${n.C});`,
    async verify(c, n) {
      const after = await indexOf(c, n, n.index);
      expect(after).toMatchObject({ valid: true, table: n.table });
      expect(after?.filenode).not.toBe(filenodes.get(`${n.schema}.${n.index}`));
    },
  },
  "migration/create-index-not-concurrent": {
    migration: (n) => `CREATE INDEX ${q(n.index)} ON ${n.T} (${n.C});`,
    async verify(c, n) {
      expect(await indexOf(c, n, n.index)).toMatchObject({ valid: true, table: n.table });
    },
  },
  "migration/detach-partition-not-concurrent": {
    setup: (n) =>
      `CREATE TABLE ${n.PT} (id int) PARTITION BY RANGE (id);
       CREATE TABLE ${n.PC} PARTITION OF ${n.PT} FOR VALUES FROM (0) TO (10);`,
    migration: (n) => `ALTER TABLE ${n.PT} DETACH PARTITION ${n.PC};`,
    async verify(c, n) {
      const row = await one<{ partition: boolean }>(
        c,
        "select c.relispartition as partition from pg_class c join pg_namespace s on s.oid = c.relnamespace where s.nspname = $1 and c.relname = $2",
        [n.schema, n.part],
      );
      expect(row).toEqual({ partition: false });
    },
  },
  "migration/drop-index-not-concurrent": {
    setup: (n) => {
      const decoy = lookAlike(n.index);
      return [
        `CREATE INDEX ${q(n.index)} ON ${n.T} (${n.C});`,
        decoy ? `CREATE INDEX ${decoy} ON ${n.T} (other);` : "",
      ].join("\n");
    },
    migration: (n) => `DROP INDEX ${n.I};`,
    async verify(c, n) {
      expect(await indexOf(c, n, n.index)).toBeUndefined();
      const decoy = lookAlike(n.index);
      if (decoy) expect(await indexOf(c, n, decoy)).toMatchObject({ valid: true });
    },
  },
  "migration/missing-lock-timeout": {
    migration: (n) => `ALTER TABLE ${n.T} ADD COLUMN ${q(n.added)} int;`,
    async verify(c) {
      expect((await one<{ lock_timeout: string }>(c, "show lock_timeout"))?.lock_timeout).toBe("2s");
    },
  },
  "migration/set-not-null": {
    migration: (n) => `ALTER TABLE ${n.T} ALTER COLUMN ${n.C} SET NOT NULL;`,
    async verify(c, n) {
      expect((await columnOf(c, n, n.column))?.notnull).toBe(true);
      // Before 18 the helper CHECK is dropped again; on 18 the NOT NULL constraint carries the recipe's name.
      const helper = await constraintOf(c, n, `${n.table}_${n.column}_not_null`);
      if (n.pgVersion >= 18) expect(helper).toEqual({ type: "n", validated: true });
      else expect(helper).toBeUndefined();
    },
  },
  "migration/table-rewrite-maintenance": {
    findings: 2,
    setup: (n) => `CREATE INDEX ${q(n.index)} ON ${n.T} (${n.C});`,
    migration: (n) => `REINDEX INDEX ${n.I};\nREINDEX TABLE ${n.T};`,
    async verify(c, n) {
      // The fixes ran REINDEX INDEX/TABLE CONCURRENTLY: the index has new storage and is valid.
      const after = await indexOf(c, n, n.index);
      expect(after).toMatchObject({ valid: true, table: n.table });
      expect(after?.filenode).not.toBe(filenodes.get(`${n.schema}.${n.index}`));
    },
  },
  "migration/validate-in-same-transaction": {
    migration: (n) =>
      [
        "BEGIN;",
        `ALTER TABLE ${n.T} ADD CONSTRAINT ${q(n.check)} CHECK (char_length(${n.C}) > 0) NOT VALID;`,
        `ALTER TABLE ${n.T} VALIDATE CONSTRAINT ${q(n.check)};`,
        "COMMIT;",
      ].join("\n"),
    before: (n) =>
      `ALTER TABLE ${n.T} ADD CONSTRAINT ${q(n.check)} CHECK (char_length(${n.C}) > 0) NOT VALID`,
    async verify(c, n) {
      expect(await constraintOf(c, n, n.check)).toEqual({ type: "c", validated: true });
    },
  },
};

/** Rules whose fixes are advice only (no SQL to run): a new rule with SQL must move to CASES with a case. */
const ADVICE_ONLY = new Set([
  "migration/backfill-in-ddl-transaction",
  "migration/concurrently-in-transaction",
  "migration/domain-constraint",
  "migration/drop",
  "migration/drop-database",
  "migration/duplicate-column",
  "migration/identifier-too-long",
  "migration/transaction-nesting",
  "migration/truncate-cascade",
  "migration/prefer-robust-types",
  "migration/rename",
]);

const filenodes = new Map<string, string>();

function names(name: string, inSchema: boolean, pgVersion: number): Names {
  const schema = inSchema ? name : "public";
  const prefix = inSchema ? `${q(schema)}.` : "";
  return {
    pgVersion,
    schema,
    table: name,
    column: name,
    T: `${prefix}${q(name)}`,
    P: `${prefix}${q(`${name}_p`)}`,
    C: q(name),
    added: `${name}_added`,
    index: `${name}_i`,
    fk: `${name}_fk`,
    unique: `${name}_u`,
    check: `${name}_c`,
    I: `${prefix}${q(`${name}_i`)}`,
    parted: `${name}_parted`,
    part: `${name}_part`,
    PT: `${prefix}${q(`${name}_parted`)}`,
    PC: `${prefix}${q(`${name}_part`)}`,
  };
}

/** The statements of a fix, each run on its own (CONCURRENTLY refuses a transaction block, and a multi-statement query is one). */
function statements(fix: string): string[] {
  const bytes = Buffer.from(fix, "utf8");
  return (parseSql(fix).stmts ?? []).map((s) => {
    const start = Number(s.stmt_location ?? 0);
    const end = s.stmt_len ? start + Number(s.stmt_len) : bytes.length;
    return bytes.subarray(start, end).toString("utf8").trim();
  });
}

describe("registry", () => {
  it("has an awkward-name case for every migration rule that prints SQL, and says which print none", () => {
    const ids = MIGRATION_RULES.map((r) => r.id);
    const unaccounted = ids.filter((id) => !(id in CASES) && !ADVICE_ONLY.has(id));
    expect(unaccounted, "add a case to CASES (or to ADVICE_ONLY if its fixes carry no SQL)").toEqual([]);
    expect(Object.keys(CASES).filter((id) => !ids.includes(id))).toEqual([]);
  });
});

for (const server of availableServers()) {
  describe(`migrate lint fixes with awkward names run on ${server.name}`, () => {
    let db: TestDatabase;
    let client: pg.Client;
    let connector: PostgresConnector;
    let pgVersion: number;
    const dir = mkdtempSync(join(tmpdir(), "dbopt-fix-sql-"));

    beforeAll(async () => {
      await loadSqlParser();
      db = await createTestDatabase(server, "create table canary (id int); insert into canary values (1);");
      client = new pg.Client({ connectionString: db.url });
      await client.connect();
      // Hundreds of small DDL commits: no need to wait for each to reach the disk of a throwaway database.
      await client.query("set synchronous_commit = off");
      connector = await PostgresConnector.connect(resolveTarget({ db: db.url }));
      const version = await one<{ server_version_num: string }>(client, "show server_version_num");
      pgVersion = Math.floor(Number(version?.server_version_num) / 10000);
      expect(pgVersion).toBeGreaterThanOrEqual(13);
    });

    afterAll(async () => {
      await connector?.close();
      await client?.end();
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    async function reset(n: Names, inSchema: boolean): Promise<void> {
      await client.query("reset lock_timeout");
      if (inSchema)
        await client.query(`drop schema if exists ${q(n.schema)} cascade; create schema ${q(n.schema)}`);
      else await client.query(`drop table if exists ${n.T}, ${n.P}, ${n.PT}, ${n.PC} cascade`);
      await client.query(
        `create table ${n.P} (id bigint primary key); insert into ${n.P} values (1);
         create table ${n.T} (id bigint primary key, ${n.C} varchar(100), other bigint, at timestamp);
         insert into ${n.T} values (1, 'five', 1, '2024-01-01 12:00');`,
      );
    }

    for (const [ruleId, fixCase] of Object.entries(CASES)) {
      it(`${ruleId}: each fix does what it says to the named object`, async () => {
        for (const name of AWKWARD_NAMES)
          for (const inSchema of [false, true]) {
            const n = names(name, inSchema, pgVersion);
            const label = `${ruleId} for ${JSON.stringify(name)}${inSchema ? " in its own schema" : ""}`;
            await reset(n, inSchema);
            if (fixCase.setup) await client.query(fixCase.setup(n));
            const index = await indexOf(client, n, n.index);
            if (index) filenodes.set(`${n.schema}.${n.index}`, index.filenode);
            const file = join(dir, "migration.sql");
            writeFileSync(file, fixCase.migration(n));
            const report = await lintMigrations([file], {}, connector);
            const fixes = report.findings
              .filter((f: Finding) => f.ruleId === ruleId && f.fix?.sql)
              .map((f) => String(f.fix?.sql));
            expect(fixes, label).toHaveLength(fixCase.findings ?? 1);
            if (fixCase.before) await client.query(fixCase.before(n));
            for (const fix of fixes)
              for (const statement of statements(fix)) {
                try {
                  await client.query(statement);
                } catch (error) {
                  throw new Error(`${label}: ${statement}\n${(error as Error).message}`);
                }
              }
            await fixCase.verify(client, n);
            expect(await one(client, "select to_regclass('public.canary') is not null as ok"), label).toEqual(
              {
                ok: true,
              },
            );
          }
      });
    }
  });
}
