/**
 * The table locks `migrate lint` claims (facts/migration/lock-model.ts, shown as each finding's evidence) against
 * the locks PostgreSQL really takes: every statement is run inside a transaction on PostgreSQL 15 and 18, pg_locks
 * is read for the session's own relation locks before ROLLBACK, and the strongest lock on each table the model
 * names must be the one it claims.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCK_STRENGTH, type LockMode, statementLocks } from "../../src/facts/migration/lock-model.js";
import { loadSqlParser, parseSql } from "../../src/util/sql-parser.js";
import { availableServers, createTestDatabase, type TestDatabase } from "../support/servers.js";

const SETUP = `
  create schema archive;
  create table p (id int primary key);
  create table t (id int primary key, a int, note varchar(20));
  insert into p values (1); insert into t values (1, 1, 'x');
  create table r (pid int references p (id));
  create table parted (id int) partition by range (id);
  create table part1 partition of parted for values from (0) to (10);
  create table part2 (id int);
  create materialized view mv as select id from t;
  create function noop() returns trigger language plpgsql as 'begin return new; end';
  alter table t add constraint t_a_fk foreign key (a) references p (id) not valid;
  create trigger t_trg before update on t for each row execute function noop();
  create policy t_pol on t using (true);
  create rule t_rule as on delete to t do also notify t;
`;

/** Statements migrations run, each checked on its own (rolled back). */
const STATEMENTS = [
  "create index t_a on t (a)",
  "alter table t add column x int references p (id)",
  "alter table t add column y int unique",
  "alter table t add constraint t_note_check check (note <> '') not valid",
  "alter table t add constraint t_a_fk2 foreign key (a) references p (id)",
  "alter table t validate constraint t_a_fk",
  "alter table t alter column note set not null",
  "alter table t alter column note type text",
  "alter table t set (fillfactor = 90)",
  "alter table parted detach partition part1",
  "alter table parted attach partition part2 for values from (10) to (20)",
  "truncate p cascade",
  "lock table t in share mode",
  "lock table t",
  "lock table t in row exclusive mode",
  "reindex table t",
  "cluster t using t_pkey",
  "create trigger t_noop before insert on t for each row execute function noop()",
  "update t set a = 1",
  "refresh materialized view mv",
  "alter table t rename column note to remark",
  "alter table t set schema archive",
  "drop table r",
  "create table d (id int, pid int references p (id), tid int, foreign key (tid) references t (id))",
  "drop trigger t_trg on t",
  "create policy t_pol2 on t using (a > 0)",
  "alter policy t_pol on t using (a > 1)",
  "drop policy t_pol on t",
  "create rule t_rule2 as on insert to t do also notify t",
  "drop rule t_rule on t",
];

type Row = { table: string; mode: LockMode };

for (const server of availableServers()) {
  describe(`lock model against pg_locks on ${server.name}`, () => {
    let db: TestDatabase;
    let client: pg.Client;

    beforeAll(async () => {
      await loadSqlParser();
      db = await createTestDatabase(server, SETUP);
      client = new pg.Client({ connectionString: db.url });
      await client.connect();
    });

    afterAll(async () => {
      await client?.end();
      await db?.drop();
    });

    it("claims the strongest lock PostgreSQL takes on every table it names", async () => {
      // Table names by oid, read before: a table the statement drops is gone from pg_class inside its transaction.
      const names = new Map(
        (
          await client.query<{ oid: number; name: string }>(
            "select oid::int as oid, relname as name from pg_class where relkind in ('r', 'p', 'm') and relnamespace = 'public'::regnamespace",
          )
        ).rows.map((r) => [r.oid, r.name]),
      );
      const mismatches: string[] = [];
      for (const statement of STATEMENTS) {
        const stmt = parseSql(statement).stmts?.[0]?.stmt as Record<string, unknown>;
        const claimed = statementLocks(stmt);
        expect(claimed.length, statement).toBeGreaterThan(0);
        await client.query("begin");
        let rows: Row[];
        try {
          await client.query(statement);
          rows = (
            await client.query<{ oid: number; mode: LockMode }>(
              "select relation::int as oid, mode from pg_locks where pid = pg_backend_pid() and locktype = 'relation'",
            )
          ).rows.flatMap((r) => {
            const table = names.get(r.oid);
            return table ? [{ table, mode: r.mode }] : [];
          });
        } finally {
          await client.query("rollback");
        }
        for (const { table, mode } of claimed) {
          const held = rows
            .filter((r) => r.table === table)
            .map((r) => r.mode)
            .sort((a, b) => LOCK_STRENGTH[b] - LOCK_STRENGTH[a])[0];
          if (held !== mode)
            mismatches.push(`${statement}: ${table} claimed ${mode}, held ${held ?? "nothing"}`);
        }
      }
      expect(mismatches).toEqual([]);
    });
  });
}
