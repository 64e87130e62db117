/**
 * Every rule's fix SQL, run on a real server exactly as printed, on objects whose names are written to break
 * out of their quotes (test/support/awkward-names.ts): mixed case, spaces, quotes, semicolons, reserved words,
 * all in non-public schemas, beside a `canary` table that no fix may touch.
 *
 * The facts are real: the schema below is built on PostgreSQL 15 and on the embedded PostgreSQL 18, the
 * snapshot is collected by dbopt's own collector, plans come from EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) of
 * statements on those tables. Each fix is split into statements as psql would send them (so CONCURRENTLY runs
 * outside a transaction block) and each statement is run. ALTER SYSTEM and pg_reload_conf() change the whole
 * server, so on the shared servers they are only parsed; a private PostgreSQL 15 started here runs them and
 * shows the value in pg_file_settings. The completeness check at the end reads the rule registry: a rule whose
 * source can build fix SQL and that this file did not run fails the test.
 */
import { readFileSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCandidates } from "../../src/advisors/index/generate-candidates.js";
import { candidateDdl } from "../../src/advisors/index/index-candidate.js";
import { prepareWorkload } from "../../src/advisors/index/workload-query.js";
import { PostgresConnector } from "../../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { collectSnapshot } from "../../src/facts/collect/collect-snapshot.js";
import { parsePlan } from "../../src/facts/plan/plan-input.js";
import { analyzePlan } from "../../src/facts/plan/plan-metrics.js";
import type { Snapshot, StatementFacts } from "../../src/facts/snapshot.js";
import type { Finding } from "../../src/findings/finding.js";
import { HEALTH_RULES, LOG_RULES, PLAN_RULES, WORKLOAD_RULES } from "../../src/rules/registry.js";
import { defaultOptions, type Rule } from "../../src/rules/rule.js";
import { runRules } from "../../src/rules/run-rules.js";
import { loadSqlParser, parseSql } from "../../src/util/sql-parser.js";
import { ident, literal, qname, sql } from "../../src/util/sql-text.js";
import { PG15_BIN, type PrivatePostgres, startPrivatePostgres } from "../support/private-postgres.js";
import { workloadSnapshot } from "../support/rule-harness.js";
import { availableServers, createTestDatabase, type TestDatabase } from "../support/servers.js";

/** Names that each get a schema of that name holding one table (and its objects) per rule. */
const NAMES = [
  "MixedCase",
  "line item",
  'say "hi"',
  "t; DROP TABLE canary",
  "x'); DROP TABLE canary; --",
  "select",
];

/** Rules this file ran a fix of, on any server: the completeness check reads it. */
const covered = new Set<string>();

const SERVER_WIDE = /^\s*(ALTER SYSTEM|SELECT pg_reload_conf\(\))/i;

/** The statements of a fix, as psql would send them one by one (each with its leading comments). */
function statementsOf(text: string): string[] {
  const bytes = Buffer.from(text, "utf8");
  return (parseSql(text).stmts ?? []).map((s) => {
    const from = s.stmt_location ?? 0;
    const to = s.stmt_len ? from + s.stmt_len : bytes.length;
    return bytes.subarray(from, to).toString("utf8").trim();
  });
}

/** Catalog state of every relation of the test database, to see which ones a fix changed. */
const STATE_SQL = `
  select n.nspname as schema, c.relname as name,
    (select tn.nspname || '.' || t.relname from pg_depend d join pg_class t on t.oid = d.refobjid
       join pg_namespace tn on tn.oid = t.relnamespace
     where c.relkind = 'S' and d.classid = 'pg_class'::regclass and d.objid = c.oid
       and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i') limit 1) as owner,
    json_build_object(
    'indexes', (select json_agg(pg_get_indexdef(i.indexrelid) || ' ' || i.indisvalid || ' ' || pg_relation_filenode(i.indexrelid)
                order by pg_get_indexdef(i.indexrelid)) from pg_index i where i.indrelid = c.oid),
    'constraints', (select json_agg(conname || ' ' || contype::text || ' ' || convalidated order by conname)
                    from pg_constraint where conrelid = c.oid),
    'columns', (select json_agg(attname || ' ' || format_type(atttypid, atttypmod) || ' ' || attnotnull order by attnum)
                from pg_attribute where attrelid = c.oid and attnum > 0 and not attisdropped),
    'options', c.reloptions,
    'statistics', (select json_agg(stxname order by stxname) from pg_statistic_ext where stxrelid = c.oid),
    'maintenance', (select s.analyze_count + s.vacuum_count from pg_stat_user_tables s where s.relid = c.oid),
    'sequence', (select seqtypid::regtype::text || ' ' || seqmax from pg_sequence where seqrelid = c.oid)
  )::text as state
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'S') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')`;

/** State by "schema.name"; a sequence a table owns (serial, identity) is counted as part of that table. */
async function catalogState(client: pg.Client): Promise<Map<string, string>> {
  const { rows } = await client.query<{ schema: string; name: string; owner: string | null; state: string }>(
    STATE_SQL,
  );
  const state = new Map<string, string>();
  for (const r of rows) {
    const key = r.owner ?? `${r.schema}.${r.name}`;
    state.set(key, `${state.get(key) ?? ""}${r.state}`);
  }
  return state;
}

function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

/** The per-rule table of one awkward name: schema `name`, table `name suffix`. */
function objectName(name: string, suffix: string): string {
  return `${name} ${suffix}`;
}

const servers = availableServers();

describe.each(servers)("every fix's SQL on awkward names ($name)", (server) => {
  let db: TestDatabase;
  let client: pg.Client;
  let snapshot: Snapshot;
  const sessions: pg.Client[] = [];
  /** ALTER SYSTEM fixes, run on the private server by the last test. */
  const serverWide: Array<{ ruleId: string; sql: string }> = [];

  const open = async (application = "fix-sql-test") => {
    const c = new pg.Client({ connectionString: db.url, application_name: application });
    c.on("error", () => {});
    await c.connect();
    sessions.push(c);
    return c;
  };

  /**
   * Run a fix as printed, statement by statement, and check it changed the tables it is about and nothing
   * else. `tables` are "schema.name" keys of the relations it should change (none for session fixes).
   */
  async function runFix(finding: Finding, tables: string[], extra: { allowAlsoChanged?: string[] } = {}) {
    const text = finding.fix?.sql;
    expect(text, `${finding.ruleId}: ${finding.title}`).toBeTruthy();
    covered.add(finding.ruleId);
    const before = await catalogState(client);
    for (const statement of statementsOf(text as string)) {
      if (SERVER_WIDE.test(statement.replace(/^(--[^\n]*\n\s*)+/, ""))) {
        serverWide.push({ ruleId: finding.ruleId, sql: statement });
        continue;
      }
      await client.query(statement);
    }
    const after = await catalogState(client);
    const diff = changed(before, after);
    for (const t of tables) expect(diff, `${finding.ruleId} changed ${t}: ${text}`).toContain(t);
    const allowed = new Set([...tables, ...(extra.allowAlsoChanged ?? [])]);
    expect(
      diff.filter((t) => !allowed.has(t)),
      `${finding.ruleId} changed only its objects: ${text}`,
    ).toEqual([]);
    const { rows } = await client.query("select to_regclass('public.canary') as t");
    expect(rows[0].t).toBe("canary");
  }

  function check<F>(
    // biome-ignore lint/suspicious/noExplicitAny: any rule's options
    rule: Rule<F, any>,
    facts: F,
    options: Record<string, number> = {},
  ): Finding[] {
    // Through runRules, so the parse-back gate (DBOPT_STRICT_SQL=1 here) sees every fix too.
    return runRules([rule], facts, { [rule.id]: { ...defaultOptions(rule), ...options } }).filter(
      (f) => !f.title.startsWith(`rule ${rule.id} could not run`),
    );
  }

  const health = (id: string) => {
    const rule = HEALTH_RULES.find((r) => r.id === id);
    if (!rule) throw new Error(`no rule ${id}`);
    return rule;
  };
  const about = (findings: Finding[], object: string) =>
    findings.filter(
      (f) => f.objects?.includes(object) || f.evidence.sequence === object.replace(/^.*?\./, ""),
    );

  beforeAll(async () => {
    await loadSqlParser();
    db = await createTestDatabase(server);
    client = new pg.Client({ connectionString: db.url, application_name: "fix-sql-test" });
    await client.connect();
    await client.query("create table public.canary (id int primary key)");
    for (const n of NAMES) {
      const s = (suffix: string) => qname(n, objectName(n, suffix));
      const col = (suffix: string) => ident(objectName(n, suffix));
      await client.query(sql`CREATE SCHEMA ${ident(n)}`);
      // missing-primary-key: a column "id" already there, so the key must take another name.
      await client.query(sql`CREATE TABLE ${s("nopk")} (id int, ${ident(n)} text)`);
      await client.query(sql`INSERT INTO ${s("nopk")} SELECT g, g::text FROM generate_series(1, 50) g`);
      await client.query(sql`CREATE TABLE ${s("online")} (id int, dbopt_id int, ${ident(n)} text)`);
      await client.query(sql`INSERT INTO ${s("online")} SELECT g, g, g::text FROM generate_series(1, 50) g`);
      await client.query(sql`CREATE TABLE ${s("uniq")} (${ident(n)} int NOT NULL)`);
      await client.query(sql`CREATE UNIQUE INDEX ${col("uniq idx")} ON ${s("uniq")} (${ident(n)})`);
      // column-type-smell
      await client.query(
        sql`CREATE TABLE ${s("types")} (k int PRIMARY KEY, price double precision, ${ident(n)} json, ${col("c")} char(3), ${col("at")} timestamp(3))`,
      );
      await client.query(sql`INSERT INTO ${s("types")} VALUES (1, 1.5, '{}', 'abc', '2024-01-01 10:00')`);
      // duplicate-index: two plain twins, and a unique constraint that repeats the primary key.
      await client.query(sql`CREATE TABLE ${s("dup")} (k int PRIMARY KEY, ${ident(n)} int)`);
      await client.query(sql`CREATE INDEX ${col("d1")} ON ${s("dup")} (${ident(n)})`);
      await client.query(sql`CREATE INDEX ${col("d2")} ON ${s("dup")} (${ident(n)})`);
      await client.query(sql`CREATE TABLE ${s("dupkey")} (k int PRIMARY KEY)`);
      await client.query(sql`ALTER TABLE ${s("dupkey")} ADD CONSTRAINT ${col("uk")} UNIQUE (k)`);
      // redundant-index
      await client.query(sql`CREATE TABLE ${s("red")} (k int PRIMARY KEY, ${ident(n)} int, b int)`);
      await client.query(sql`CREATE INDEX ${col("r1")} ON ${s("red")} (${ident(n)})`);
      await client.query(sql`CREATE INDEX ${col("r2")} ON ${s("red")} (${ident(n)}, b)`);
      // unused-index
      await client.query(sql`CREATE TABLE ${s("unused")} (k int PRIMARY KEY, ${ident(n)} int)`);
      await client.query(sql`CREATE INDEX ${col("unused idx")} ON ${s("unused")} (${ident(n)})`);
      // fk-without-index
      await client.query(sql`CREATE TABLE ${s("parent")} (k int PRIMARY KEY)`);
      await client.query(
        sql`CREATE TABLE ${s("child")} (k int PRIMARY KEY, ${col("ref")} int REFERENCES ${s("parent")})`,
      );
      // not-valid-constraint
      await client.query(sql`CREATE TABLE ${s("nv")} (k int)`);
      await client.query(sql`ALTER TABLE ${s("nv")} ADD CONSTRAINT ${col("chk")} CHECK (k > 0) NOT VALID`);
      // invalid-index: marked invalid by hand, as a failed CREATE INDEX CONCURRENTLY leaves it.
      await client.query(sql`CREATE TABLE ${s("inv")} (k int)`);
      await client.query(sql`CREATE INDEX ${col("inv idx")} ON ${s("inv")} (k)`);
      await client.query(
        sql`UPDATE pg_index SET indisvalid = false WHERE indexrelid = ${literal(`${qname(n, objectName(n, "inv idx"))}`)}::regclass`,
      );
      // index-bloat: one plain index, and an exclusion constraint's, which REINDEX CONCURRENTLY refuses.
      await client.query(sql`CREATE TABLE ${s("bloat")} (k int, ${ident(n)} int)`);
      await client.query(sql`INSERT INTO ${s("bloat")} SELECT g, g FROM generate_series(1, 2000) g`);
      await client.query(sql`CREATE INDEX ${col("bloat idx")} ON ${s("bloat")} (${ident(n)})`);
      await client.query(sql`CREATE TABLE ${s("excl")} (k int)`);
      await client.query(sql`INSERT INTO ${s("excl")} SELECT g FROM generate_series(1, 2000) g`);
      await client.query(
        sql`ALTER TABLE ${s("excl")} ADD CONSTRAINT ${col("ex")} EXCLUDE USING btree (k WITH =)`,
      );
      // null-heavy-index
      await client.query(sql`CREATE TABLE ${s("nulls")} (k int PRIMARY KEY, ${ident(n)} int)`);
      await client.query(
        sql`INSERT INTO ${s("nulls")} SELECT g, CASE WHEN g % 50 = 0 THEN g END FROM generate_series(1, 5000) g`,
      );
      await client.query(sql`CREATE INDEX ${col("nulls idx")} ON ${s("nulls")} (${ident(n)})`);
      // hot-updates: full pages, updates that do not touch an indexed column.
      await client.query(sql`CREATE TABLE ${s("hot")} (k int PRIMARY KEY, ${ident(n)} text)`);
      await client.query(
        sql`INSERT INTO ${s("hot")} SELECT g, repeat('x', 100) FROM generate_series(1, 2000) g`,
      );
      await client.query(sql`UPDATE ${s("hot")} SET ${ident(n)} = repeat('y', 100)`);
      // dead-tuples, with autovacuum off for the table, and stale-statistics
      await client.query(sql`CREATE TABLE ${s("dead")} (k int) WITH (autovacuum_enabled = false)`);
      await client.query(sql`INSERT INTO ${s("dead")} SELECT g FROM generate_series(1, 3000) g`);
      await client.query(sql`DELETE FROM ${s("dead")} WHERE k > 100`);
      await client.query(sql`CREATE TABLE ${s("stale")} (k int) WITH (autovacuum_enabled = false)`);
      await client.query(sql`INSERT INTO ${s("stale")} SELECT g FROM generate_series(1, 2000) g`);
      // sequence-near-limit: a serial (integer) close to 2^31.
      await client.query(sql`CREATE TABLE ${s("seq")} (${col("s")} serial, v int)`);
      await client.query(
        sql`SELECT setval(pg_get_serial_sequence(${literal(qname(n, objectName(n, "seq")))}, ${literal(objectName(n, "s"))}), 2000000000)`,
      );
      await client.query(sql`CREATE TABLE ${s("xid")} (k int)`);
      await client.query(sql`CREATE TABLE ${s("fillfactor")} (k int)`);
      // Partitions: a foreign key and a smallint key declared on the parent, the parent's index unfinished on
      // "part c", an index and a foreign key made on each partition by hand that "part d" (the DEFAULT one,
      // holding most rows) missed; a partitioned table without a key.
      await client.query(
        sql`CREATE TABLE ${s("part")} (k int NOT NULL, ${col("at")} date NOT NULL, ${col("ref")} smallint REFERENCES ${s("parent")}, v int) PARTITION BY RANGE (${col("at")})`,
      );
      for (const [p, bound] of [
        ["part a", sql`FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`],
        ["part b", sql`FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')`],
        ["part c", sql`FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')`],
        ["part d", sql`DEFAULT`],
      ] as const)
        await client.query(sql`CREATE TABLE ${s(p)} PARTITION OF ${s("part")} ${bound}`);
      await client.query(
        sql`INSERT INTO ${s("part")} (k, ${col("at")}) SELECT g, date '2024-01-01' + g * 30 FROM generate_series(1, 30) g`,
      );
      await client.query(
        sql`INSERT INTO ${s("part")} (k, ${col("at")}) SELECT g, date '2019-01-01' + g * 10 FROM generate_series(1, 70) g`,
      );
      await client.query(sql`CREATE INDEX ${col("part v")} ON ONLY ${s("part")} (v)`);
      for (const p of ["part a", "part b", "part d"]) {
        await client.query(sql`CREATE INDEX ${col(`${p} v`)} ON ${s(p)} (v)`);
        await client.query(
          sql`ALTER INDEX ${qname(n, objectName(n, "part v"))} ATTACH PARTITION ${qname(n, objectName(n, `${p} v`))}`,
        );
      }
      for (const p of ["part a", "part b", "part c"]) {
        await client.query(sql`CREATE INDEX ${col(`${p} k`)} ON ${s(p)} (k)`);
        await client.query(
          sql`ALTER TABLE ${s(p)} ADD CONSTRAINT ${col(`${p} fk`)} FOREIGN KEY (v) REFERENCES ${s("parent")}`,
        );
      }
      await client.query(
        sql`CREATE TABLE ${s("pnokey")} (k int NOT NULL, ${col("at")} date NOT NULL) PARTITION BY RANGE (${col("at")})`,
      );
      await client.query(
        sql`CREATE TABLE ${s("pnokey a")} PARTITION OF ${s("pnokey")} FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`,
      );
      await client.query(
        sql`CREATE TABLE ${s("pnokey b")} PARTITION OF ${s("pnokey")} FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')`,
      );
    }
    await client.query("analyze");
    // Statistics of this session reach the shared statistics once flushed.
    await client.query("select pg_stat_force_next_flush()");
    await client.query("select 1");
    await new Promise((resolve) => setTimeout(resolve, 300));
    snapshot = await collect();
  }, 180_000);

  async function collect(): Promise<Snapshot> {
    const connector = await PostgresConnector.connect(resolveTarget({ db: db.url }));
    try {
      return await collectSnapshot(connector);
    } finally {
      await connector.close();
    }
  }

  afterAll(async () => {
    for (const s of sessions) await s.end().catch(() => {});
    await client?.end();
    await db?.drop();
  });

  const key = (n: string, suffix: string) => `${n}.${objectName(n, suffix)}`;

  it("missing-primary-key: a free column name, in one statement or without a long lock", async () => {
    for (const n of NAMES) {
      const rule = health("health/missing-primary-key");
      const [simple] = about(check(rule, { snapshot }), key(n, "nopk"));
      expect(simple?.fix?.sql).toContain(
        "ADD COLUMN dbopt_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
      );
      await runFix(simple as Finding, [key(n, "nopk")]);
      const [online] = about(check(rule, { snapshot }, { onlineFromRows: 0 }), key(n, "online"));
      expect(online?.fix?.sql).toContain("CREATE UNIQUE INDEX CONCURRENTLY");
      await runFix(online as Finding, [key(n, "online")]);
      const { rows } = await client.query(
        sql`SELECT count(*)::int AS n, count(DISTINCT dbopt_id2)::int AS d FROM ${qname(n, objectName(n, "online"))}`,
      );
      expect(rows[0]).toEqual({ n: 50, d: 50 });
      const [byIndex] = about(check(rule, { snapshot }), key(n, "uniq"));
      expect(byIndex?.fix?.sql).toContain("ADD PRIMARY KEY USING INDEX");
      await runFix(byIndex as Finding, [key(n, "uniq")]);
    }
  }, 120_000);

  it("partitions: missing indexes and foreign keys, the ON ONLY recipe, the narrow key, the catch-all split, the key", async () => {
    for (const n of NAMES) {
      const part = key(n, "part");
      const [a, b, c, d] = ["part a", "part b", "part c", "part d"].map((p) => key(n, p));
      const missing = about(check(health("health/partition-missing-index"), { snapshot }), part);
      expect(missing.map((f) => f.evidence.partitions).sort()).toEqual([
        objectName(n, "part c"),
        objectName(n, "part d"),
      ]);
      // A partitioned index has no filenode, so its state line here is null: its validity is read below.
      for (const f of missing)
        await runFix(f, [f.evidence.onParent ? (c as string) : (d as string)], { allowAlsoChanged: [part] });
      const { rows: valid } = await client.query(
        sql`SELECT indisvalid FROM pg_index WHERE indexrelid = ${literal(qname(n, objectName(n, "part v")))}::regclass`,
      );
      expect(valid[0].indisvalid).toBe(true);
      const [siblingFk] = about(check(health("health/partition-missing-foreign-key"), { snapshot }), part);
      await runFix(siblingFk as Finding, [d as string]);
      const [fk] = about(check(health("health/fk-without-index"), { snapshot }, { minRows: 0 }), part);
      expect(fk?.fix?.sql).toContain("ON ONLY");
      await runFix(fk as Finding, [part, a, b, c, d] as string[]);
      // One item for every narrow key in the database (grouped), one ALTER TABLE per table: run once, for all names.
      if (n === NAMES[0]) {
        const [narrow] = about(check(health("health/fk-type-mismatch"), { snapshot }), part);
        expect(narrow?.evidence.columns).toBe(NAMES.length);
        const parts = ["part", "part a", "part b", "part c", "part d"];
        await runFix(
          narrow as Finding,
          NAMES.flatMap((m) => parts.map((p) => key(m, p))),
        );
      }
      const [catchAll] = about(
        check(health("health/partition-catch-all"), { snapshot }, { minRows: 0 }),
        part,
      );
      // The DEFAULT partition's rows run from 2019 to 2020: a partition for each year, like its siblings.
      await runFix(catchAll as Finding, [key(n, "part_2019"), key(n, "part_2020")], {
        allowAlsoChanged: [part, d as string],
      });
      const { rows } = await client.query(
        sql`SELECT count(*)::int AS n FROM ${qname(n, objectName(n, "part d"))}`,
      );
      expect(rows[0].n).toBe(0);
      const [noKey] = about(check(health("health/missing-primary-key"), { snapshot }), key(n, "pnokey"));
      await runFix(noKey as Finding, [key(n, "pnokey"), key(n, "pnokey a"), key(n, "pnokey b")]);
    }
  }, 120_000);

  it("column-type-smell, fk-without-index, not-valid-constraint, hot-updates, stale statistics and vacuums", async () => {
    const cases: Array<[string, string, Record<string, number>]> = [
      ["health/fk-without-index", "child", { minRows: 0 }],
      ["health/not-valid-constraint", "nv", {}],
      ["health/hot-updates", "hot", { minUpdates: 100, maxHotShare: 1.01 }],
      ["health/dead-tuples", "dead", { minDeadTuples: 1, minDeadShare: 0 }],
      ["health/table-bloat", "dead", { minBytes: 0, minRatio: 0 }],
      ["health/xid-wraparound", "xid", { warnAge: 1 }],
    ];
    // column-type-smell is one item for the whole database: its fix changes every schema's "types" table.
    const smells = check(health("health/column-type-smell"), { snapshot }, {});
    expect(smells).toHaveLength(1);
    await runFix(
      smells[0] as Finding,
      NAMES.map((n) => key(n, "types")),
    );
    for (const n of NAMES) {
      for (const [id, table, options] of cases) {
        const findings = about(check(health(id), { snapshot }, options), key(n, table));
        expect(findings.length, `${id} on ${key(n, table)}`).toBeGreaterThan(0);
        for (const f of findings) await runFix(f, [key(n, table)]);
      }
    }
    // stale-statistics: the table changed after its last ANALYZE.
    for (const n of NAMES)
      await client.query(
        sql`INSERT INTO ${qname(n, objectName(n, "stale"))} SELECT g FROM generate_series(1, 5000) g`,
      );
    await client.query("select pg_stat_force_next_flush()");
    const fresh = await collect();
    for (const n of NAMES) {
      const findings = about(
        check(health("health/stale-statistics"), { snapshot: fresh }, { minRows: 0 }),
        key(n, "stale"),
      );
      expect(findings.length, key(n, "stale")).toBeGreaterThan(0);
      for (const f of findings) await runFix(f, [key(n, "stale")]);
    }
  }, 120_000);

  it("index fixes: duplicates, constraint twins, redundant, unused, invalid, bloated, mostly NULL", async () => {
    const byIndex = (findings: Finding[], n: string, index: string) =>
      findings.filter((f) => f.objects?.includes(`${n}.${objectName(n, index)}`));
    for (const n of NAMES) {
      const dup = byIndex(check(health("health/duplicate-index"), { snapshot }), n, "d1");
      expect(dup).toHaveLength(1);
      await runFix(dup[0] as Finding, [key(n, "dup")]);
      const twin = byIndex(check(health("health/duplicate-index"), { snapshot }), n, "uk");
      expect(twin[0]?.fix?.sql).toContain("DROP CONSTRAINT");
      await runFix(twin[0] as Finding, [key(n, "dupkey")]);
      const red = byIndex(check(health("health/redundant-index"), { snapshot }), n, "r1");
      await runFix(red[0] as Finding, [key(n, "red")]);
      const unused = byIndex(
        check(health("health/unused-index"), { snapshot }, { minStatsDays: 0, minBytes: 0 }),
        n,
        "unused idx",
      );
      await runFix(unused[0] as Finding, [key(n, "unused")]);
      const invalid = byIndex(check(health("health/invalid-index"), { snapshot }), n, "inv idx");
      await runFix(invalid[0] as Finding, [key(n, "inv")]);
      const bloat = check(health("health/index-bloat"), { snapshot }, { minBytes: 0, minRatio: 0 });
      const plain = byIndex(bloat, n, "bloat idx");
      expect(plain[0]?.fix?.sql).toMatch(/^REINDEX INDEX CONCURRENTLY /);
      await runFix(plain[0] as Finding, [key(n, "bloat")]);
      const exclusion = byIndex(bloat, n, "ex");
      expect(exclusion[0]?.fix?.sql).toMatch(/^REINDEX INDEX (?!CONCURRENTLY)/);
      await runFix(exclusion[0] as Finding, [key(n, "excl")]);
      const nulls = byIndex(
        check(health("health/null-heavy-index"), { snapshot }, { minBytes: 0 }),
        n,
        "nulls idx",
      );
      await runFix(nulls[0] as Finding, [key(n, "nulls")]);
    }
  }, 180_000);

  it("sequence-near-limit widens the column and the sequence", async () => {
    for (const n of NAMES) {
      const seq = `${objectName(n, "seq")}_${objectName(n, "s")}_seq`.slice(0, 63);
      const findings = check(health("health/sequence-near-limit"), { snapshot }, { warnShare: 0.5 }).filter(
        (f) => f.objects?.includes(key(n, "seq")),
      );
      expect(findings, seq).toHaveLength(1);
      await runFix(findings[0] as Finding, [key(n, "seq")]);
    }
  }, 60_000);

  it("session fixes end only the query or transaction they name", async () => {
    const app = "app; DROP TABLE canary";
    const sleeper = await open(app);
    const sleeping = sleeper.query("select pg_sleep(60)").then(
      () => "finished",
      (e: Error) => e.message,
    );
    const idle = await open(app);
    await idle.query("begin");
    await idle.query(
      sql`SELECT count(*) FROM ${qname(NAMES[0] as string, objectName(NAMES[0] as string, "xid"))}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const live = await collect();
    const long = check(health("health/long-running-query"), { snapshot: live }, { minSeconds: 1 }).filter(
      (f) => f.evidence.application === app,
    );
    expect(long).toHaveLength(1);
    await runFix(long[0] as Finding, []);
    expect(await sleeping).toMatch(/canceling statement/);
    const idleFindings = check(
      health("health/idle-in-transaction"),
      { snapshot: live },
      { minSeconds: 1 },
    ).filter((f) => f.evidence.application === app);
    expect(idleFindings).toHaveLength(1);
    await runFix(idleFindings[0] as Finding, []);
    const { rows } = await client.query(
      "select count(*)::int as n from pg_stat_activity where application_name = $1 and state = 'idle in transaction'",
      [app],
    );
    expect(rows[0].n).toBe(0);

    // blocking-chain: a transaction holding a row lock, and a session waiting for it.
    const holder = await open("holder");
    const holderPid = (await holder.query("select pg_backend_pid() as pid")).rows[0].pid as number;
    const stale = qname(NAMES[1] as string, objectName(NAMES[1] as string, "stale"));
    await holder.query("begin");
    await holder.query(sql`UPDATE ${stale} SET k = k WHERE k = 1`);
    const waiter = await open("waiter");
    const waiting = waiter.query(sql`UPDATE ${stale} SET k = k WHERE k = 1`).then(
      () => "done",
      (e: Error) => e.message,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const blocked = await collect();
    const chain = check(health("health/blocking-chain"), { snapshot: blocked }, { minWaitSeconds: 1 }).filter(
      (f) => f.fix?.sql?.includes(`(${holderPid})`),
    );
    expect(chain.length).toBeGreaterThan(0);
    await runFix(chain[0] as Finding, []);
    expect(await waiting).toBe("done");
  }, 60_000);

  it("replication-lag drops the slot it names", async () => {
    const slot = `dbopt_fix_${Math.random().toString(36).slice(2, 10)}`;
    await client.query("select pg_create_physical_replication_slot($1, true)", [slot]);
    const live = await collect();
    const findings = check(
      health("health/replication-lag"),
      { snapshot: live },
      { minRetainedBytes: 0 },
    ).filter((f) => JSON.stringify(f.evidence).includes(slot));
    expect(findings.length).toBeGreaterThan(0);
    await runFix(findings[0] as Finding, []);
    const { rows } = await client.query(
      "select count(*)::int as n from pg_replication_slots where slot_name = $1",
      [slot],
    );
    expect(rows[0].n).toBe(0);
  }, 60_000);

  it("settings rules: session SETs run here, ALTER SYSTEM kept for the private server", async () => {
    // Machine facts are the user's to give (--ram); the settings are the server's own.
    const machine = { ramBytes: 64 * 1024 ** 3, storage: "ssd" as const };
    const settingsSnapshot: Snapshot = {
      ...snapshot,
      // fsync is on here (it is off on the embedded server): turn it off in the facts to make the rule speak.
      settings: snapshot.settings.map((s) =>
        s.name === "fsync"
          ? { ...s, setting: "off" }
          : s.name === "shared_buffers"
            ? { ...s, setting: "16384" }
            : s,
      ),
      database: { ...snapshot.database, tempBytes: Math.max(1, snapshot.database.tempBytes) },
    };
    for (const rule of HEALTH_RULES.filter((r) => r.family === "config")) {
      const findings = check(rule, { snapshot: settingsSnapshot, machine });
      for (const f of findings.filter((f) => f.fix?.sql)) await runFix(f, []);
    }
    for (const [id, options] of [
      ["health/checkpoints", { minCheckpoints: 0, maxRequestedShare: 0 }],
      ["health/temp-files", { minBytes: 0 }],
    ] as const) {
      const findings = check(
        health(id),
        {
          snapshot: {
            ...snapshot,
            database: {
              ...snapshot.database,
              tempBytes: Math.max(1, snapshot.database.tempBytes),
              tempFiles: Math.max(1, snapshot.database.tempFiles),
            },
            // The checkpoint fix is printed only when WAL volume forced the checkpoints: 100 requested ones,
            // 2 GB of WAL each, both counters reset together an hour ago.
            checkpoints: snapshot.checkpoints && {
              ...snapshot.checkpoints,
              timed: 10,
              requested: 100,
              done: 110,
              walBytes: 100 * 2 * 1024 ** 3,
              statsResetAt: new Date(Date.now() - 3_600_000).toISOString(),
              walStatsResetAt: new Date(Date.now() - 3_600_000).toISOString(),
              serverNow: new Date().toISOString(),
            },
          },
        },
        options,
      );
      if (id === "health/checkpoints") expect(findings.some((f) => f.fix?.sql)).toBe(true);
      for (const f of findings.filter((f) => f.fix?.sql)) await runFix(f, []);
    }
  });

  describe("plan rules on EXPLAIN (ANALYZE, VERBOSE) of statements on the awkward tables", () => {
    beforeAll(async () => {
      for (const n of NAMES) {
        const t = (suffix: string) => qname(n, objectName(n, suffix));
        await client.query(
          sql`CREATE TABLE ${t("orders")} (k int, ${ident(n)} int, ${ident(`${n} b`)} int, ${ident(`${n} c`)} int, ${ident(`${n} name`)} text)`,
        );
        await client.query(
          sql`INSERT INTO ${t("orders")} SELECT g, g % 20, g % 100, g % 100, 'n' || g FROM generate_series(1, 40000) g`,
        );
        await client.query(sql`CREATE TABLE ${t("inner")} (k int, ${ident(n)} int)`);
        await client.query(sql`INSERT INTO ${t("inner")} SELECT g, g FROM generate_series(1, 1500) g`);
        await client.query(sql`ANALYZE ${t("orders")}`);
        await client.query(sql`ANALYZE ${t("inner")}`);
        await client.query(sql`CREATE TABLE ${t("fkparent")} (k int PRIMARY KEY)`);
        await client.query(
          sql`CREATE TABLE ${t("fkchild")} (k int, ${ident(n)} int REFERENCES ${t("fkparent")} ON DELETE CASCADE)`,
        );
        await client.query(sql`INSERT INTO ${t("fkparent")} SELECT g FROM generate_series(1, 2000) g`);
        await client.query(
          sql`INSERT INTO ${t("fkchild")} SELECT g, g FROM generate_series(1, 20000) g WHERE g <= 2000`,
        );
        await client.query(sql`INSERT INTO ${t("fkchild")} SELECT g, 1 FROM generate_series(1, 20000) g`);
        await client.query(sql`ANALYZE ${t("fkparent")}`);
        await client.query(sql`ANALYZE ${t("fkchild")}`);
      }
      snapshot = await collect();
    }, 120_000);

    async function plan(statement: string, settings: string[] = []) {
      await client.query("begin");
      try {
        for (const s of settings) await client.query(`set local ${s}`);
        const { rows } = await client.query(`explain (analyze, verbose, buffers, format json) ${statement}`);
        return analyzePlan(parsePlan(JSON.stringify(rows[0]["QUERY PLAN"])));
      } finally {
        await client.query("rollback");
      }
    }
    const planRule = (id: string) => {
      const rule = PLAN_RULES.find((r) => r.id === id);
      if (!rule) throw new Error(`no rule ${id}`);
      return rule;
    };

    it("seq-scan-filter: an index on the filtered column and on an expression, without the alias", async () => {
      for (const n of NAMES) {
        const t = qname(n, objectName(n, "orders"));
        const analyzed = await plan(sql`SELECT * FROM ${t} o WHERE o.${ident(n)} = 5`);
        const [finding] = check(planRule("plan/seq-scan-filter"), { analyzed, snapshot });
        expect(finding?.fix?.sql).toBe(`CREATE INDEX CONCURRENTLY ON ${t} (${ident(n)});`);
        await runFix(finding as Finding, [key(n, "orders")]);
        const expression = await plan(sql`SELECT * FROM ${t} o WHERE lower(o.${ident(`${n} name`)}) = 'n5'`);
        const [byExpression] = check(planRule("plan/seq-scan-filter"), { analyzed: expression, snapshot });
        expect(
          byExpression?.fix?.sql,
          `${n}: ${JSON.stringify(expression.nodes.map((x) => [x.nodeType, x.props.Filter]))}`,
        ).toBeDefined();
        expect(byExpression?.fix?.sql).not.toMatch(/\bo\./);
        await runFix(byExpression as Finding, [key(n, "orders")]);
      }
    }, 120_000);

    it("seq-scan-filter on a leading wildcard: pg_trgm, then a trigram GIN on the quoted column", async () => {
      for (const n of NAMES) {
        const t = qname(n, objectName(n, "orders"));
        const analyzed = await plan(sql`SELECT * FROM ${t} o WHERE o.${ident(`${n} name`)} ILIKE '%n5%'`);
        const [finding] = check(planRule("plan/seq-scan-filter"), { analyzed, snapshot });
        expect(finding?.fix?.sql).toBe(
          `CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE INDEX CONCURRENTLY ON ${t} USING gin (${ident(`${n} name`)} gin_trgm_ops);`,
        );
        await runFix(finding as Finding, [key(n, "orders")]);
      }
    }, 120_000);

    it("top-n-full-scan: an expression index for ORDER BY upper(name) LIMIT, without the alias", async () => {
      for (const n of NAMES) {
        const t = qname(n, objectName(n, "orders"));
        const analyzed = await plan(
          sql`SELECT * FROM ${t} o ORDER BY upper(o.${ident(`${n} name`)}) LIMIT 5`,
        );
        const [finding] = check(planRule("plan/top-n-full-scan"), { analyzed, snapshot });
        expect(finding?.fix?.sql).toBe(`CREATE INDEX CONCURRENTLY ON ${t} ((upper(${ident(`${n} name`)})));`);
        await runFix(finding as Finding, [key(n, "orders")]);
      }
    }, 120_000);

    it("seq-scan-filter with an index the planner did not use: ANALYZE of the schema-qualified table", async () => {
      const fresh = await collect();
      for (const n of NAMES) {
        const t = qname(n, objectName(n, "orders"));
        const analyzed = await plan(sql`SELECT * FROM ${t} o WHERE o.${ident(n)} = 5`, [
          "enable_indexscan = off",
          "enable_bitmapscan = off",
        ]);
        const [finding] = check(planRule("plan/seq-scan-filter"), { analyzed, snapshot: fresh });
        expect(finding?.fix?.sql).toBe(`ANALYZE ${t};`);
        await runFix(finding as Finding, [key(n, "orders")]);
      }
    }, 60_000);

    it("index-filter, row-misestimate, sort-spill, nested-loop-inner, heap-fetches, slow-trigger", async () => {
      // One snapshot for all: the indexes the seq-scan-filter fixes built, and the foreign keys.
      const fresh = await collect();
      for (const n of NAMES) {
        const t = qname(n, objectName(n, "orders"));
        // The index on the first column serves a, the filter on b removes most rows it fetches.
        const filtered = await plan(
          sql`SELECT * FROM ${t} o WHERE o.${ident(n)} = 5 AND o.${ident(`${n} b`)} = 6`,
          ["enable_bitmapscan = off", "enable_seqscan = off"],
        );
        const indexFilter = check(planRule("plan/index-filter"), { analyzed: filtered, snapshot: fresh });
        // a = 5 (g % 20) and b = 6 (g % 100) never hold together: every fetched row is removed.
        expect(indexFilter[0]?.fix?.sql).toContain(`(${ident(n)}, ${ident(`${n} b`)})`);
        await runFix(indexFilter[0] as Finding, [key(n, "orders")]);

        // b and c are equal on every row: the planner multiplies their selectivities and underestimates.
        const misestimated = await plan(
          sql`SELECT count(*) FROM ${t} o WHERE o.${ident(`${n} b`)} = 5 AND o.${ident(`${n} c`)} = 5`,
          ["enable_indexscan = off", "enable_bitmapscan = off"],
        );
        const misestimate = check(
          planRule("plan/row-misestimate"),
          { analyzed: misestimated, snapshot: fresh },
          { minParentShare: 0 },
        );
        expect(misestimate[0]?.fix?.sql).toMatch(/^CREATE STATISTICS IF NOT EXISTS /);
        await runFix(misestimate[0] as Finding, [key(n, "orders")]);

        const sorted = await plan(sql`SELECT * FROM ${t} o ORDER BY o.${ident(`${n} name`)} DESC`, [
          "work_mem = '64kB'",
        ]);
        const spill = check(planRule("plan/sort-spill"), { analyzed: sorted, snapshot: fresh });
        expect(spill[0]?.fix?.sql).toContain(`(${ident(`${n} name`)} DESC)`);
        await runFix(spill[0] as Finding, [key(n, "orders")]);

        const inner = qname(n, objectName(n, "inner"));
        const looped = await plan(
          sql`SELECT count(*) FROM (SELECT * FROM ${t} LIMIT 1200) o JOIN ${inner} i ON i.${ident(n)} = o.k`,
          [
            "enable_hashjoin = off",
            "enable_mergejoin = off",
            "enable_material = off",
            "enable_memoize = off",
          ],
        );
        const loops = check(
          planRule("plan/nested-loop-inner"),
          { analyzed: looped, snapshot: fresh },
          { minShare: 0 },
        );
        expect(loops[0]?.fix?.sql).toBe(`CREATE INDEX CONCURRENTLY ON ${inner} (${ident(n)});`);
        await runFix(loops[0] as Finding, [key(n, "inner")]);

        // A fresh table, not yet vacuumed: its visibility map is empty, so an index-only scan visits the heap.
        const vm = qname(n, objectName(n, "vm"));
        await client.query(sql`CREATE TABLE ${vm} (k int, ${ident(n)} int)`);
        await client.query(sql`INSERT INTO ${vm} SELECT g, g FROM generate_series(1, 5000) g`);
        await client.query(sql`CREATE INDEX ON ${vm} (${ident(n)})`);
        await client.query(sql`ANALYZE ${vm}`);
        const fetched = await plan(sql`SELECT ${ident(n)} FROM ${vm} WHERE ${ident(n)} > 0`, [
          "enable_seqscan = off",
          "enable_bitmapscan = off",
        ]);
        const heap = check(planRule("plan/heap-fetches"), { analyzed: fetched, snapshot: fresh });
        expect(heap[0]?.fix?.sql).toBe(`VACUUM (ANALYZE) ${vm};`);
        await runFix(heap[0] as Finding, [key(n, "vm")]);

        const child = qname(n, objectName(n, "fkchild"));
        const deleting = await plan(sql`DELETE FROM ${qname(n, objectName(n, "fkparent"))} WHERE k <= 200`);
        const trigger = check(
          planRule("plan/slow-trigger"),
          { analyzed: deleting, snapshot: fresh },
          { minShare: 0, minMs: 0 },
        );
        const fkFix = trigger.find((f) => f.fix?.sql);
        expect(fkFix?.fix?.sql).toBe(`CREATE INDEX CONCURRENTLY ON ${child} (${ident(n)});`);
        await runFix(fkFix as Finding, [key(n, "fkchild")]);
      }
    }, 240_000);

    it("index advisor candidates: every CREATE INDEX it may print builds on the server", async () => {
      const fresh = await collect();
      let built = 0;
      for (const n of NAMES) {
        const t = qname(n, objectName(n, "orders"));
        const [a, b, c, name] = [ident(n), ident(`${n} b`), ident(`${n} c`), ident(`${n} name`)];
        const queries = prepareWorkload(
          [
            sql`select o.k, o.${c} from ${t} o where o.${a} = $1 and lower(o.${name}) = 'x' order by o.${b} desc limit 10`,
            sql`select o.${c}, count(*) from ${t} as o where o.${b} = 5 and upper((o.${name})::text) like 'N1%' group by o.${c}`,
            sql`select * from ${t} where ${b} between 1 and 3 and ${name} is null`,
          ].map((text, i) => ({ id: `q${i}`, sql: text, weight: 1, calls: 1 })),
          fresh,
        );
        const candidates = generateCandidates(queries, fresh);
        expect(candidates.some((x) => x.columns.some((k) => k.startsWith("(lower(")))).toBe(true);
        for (const candidate of candidates) {
          const ddl = candidateDdl(candidate, false);
          expect(ddl).not.toMatch(/\bo\./);
          // Built and rolled back: what counts is that PostgreSQL takes it as it is printed.
          await client.query("begin");
          try {
            await client.query(ddl);
            built++;
          } finally {
            await client.query("rollback");
          }
        }
      }
      expect(built).toBeGreaterThan(NAMES.length * 3);
      const { rows } = await client.query("select to_regclass('public.canary') as t");
      expect(rows[0].t).toBe("canary");
    }, 60_000);

    it("settings-only plan fixes: SET runs here, ALTER SYSTEM on the private server", async () => {
      // Plans captured from real servers (test/fixtures/plans, each with its capture command).
      const captured: Array<[string, "pg15" | "pg18", string]> = [
        ["plan/hash-spill", "pg18", "hash-join-batches"],
        ["plan/lossy-bitmap", "pg18", "lossy-bitmap"],
        ["plan/jit-overhead", "pg15", "jit"],
        ["plan/parallel-workers-short", "pg18", "parallel-workers-short"],
      ];
      for (const [id, version, fixture] of captured) {
        const findings = runRules([planRule(id)], {
          analyzed: analyzeFixture(version, fixture),
          snapshot: null,
        });
        expect(findings.filter((f) => f.fix?.sql).length, id).toBeGreaterThan(0);
        for (const f of findings) if (f.fix?.sql) await runFix(f, []);
      }
      // Memoize planned for 10 distinct keys (the statistics) that met 20,000 (the rows): it mostly misses.
      const n = NAMES[0] as string;
      const memo = qname(n, objectName(n, "memo"));
      const inner = qname(n, objectName(n, "inner"));
      await client.query(sql`CREATE TABLE ${memo} (k int, v int)`);
      await client.query(sql`INSERT INTO ${memo} SELECT g, g % 10 FROM generate_series(1, 20000) g`);
      await client.query(sql`ANALYZE ${memo}`);
      await client.query(sql`UPDATE ${memo} SET v = k`);
      await client.query(sql`CREATE INDEX ON ${inner} (k)`);
      await client.query(sql`ANALYZE ${inner}`);
      const memoized = await plan(sql`SELECT count(*) FROM ${memo} m JOIN ${inner} i ON i.k = m.v`, [
        "enable_hashjoin = off",
        "enable_mergejoin = off",
        "enable_seqscan = off",
      ]);
      const misses = check(planRule("plan/memoize-misses"), { analyzed: memoized, snapshot });
      expect(misses.length, "memoize").toBeGreaterThan(0);
      for (const f of misses) await runFix(f, []);
    });
  });

  it("workload rules: the batched N+1 statement runs with an array, temp-spill's SET runs", async () => {
    for (const n of NAMES) {
      const t = qname(n, objectName(n, "orders"));
      const lookup = sql`select k, ${ident(n)} from ${t} where k = $1`;
      // The statement as pg_stat_statements records it, with its calls: the row N+1 detection reads.
      const statement: StatementFacts = {
        ...(workloadSnapshot("pg18").workload.statements[0] as StatementFacts),
        query: lookup,
        calls: 5000,
        rows: 5000,
        totalMs: 500,
        meanMs: 0.1,
      };
      const facts = {
        snapshot: { ...snapshot, workload: { ...snapshot.workload, totalMs: 500, statements: [statement] } },
      };
      const rule = WORKLOAD_RULES.find((r) => r.id === "workload/repeated-lookup");
      const [finding] = check(rule as Rule<typeof facts>, facts);
      expect(finding?.fix?.sql).toBe(`select k, ${ident(n)} from ${t} where k = ANY($1);`);
      covered.add(finding?.ruleId as string);
      const { rows } = await client.query(finding?.fix?.sql as string, [[1, 2, 3]]);
      expect(rows).toHaveLength(3);
    }
    const spill = WORKLOAD_RULES.find((r) => r.id === "workload/temp-spill");
    const ws = workloadSnapshot(server.name);
    for (const f of check(spill as Rule<{ snapshot: Snapshot }>, { snapshot: ws })) await runFix(f, []);
  });

  it("workload/n-plus-one: the deparsed batched statement (= ANY, and LATERAL for a LIMIT) runs with an array", async () => {
    for (const n of NAMES) {
      const t = qname(n, objectName(n, "loop"));
      await client.query(sql`CREATE TABLE ${t} (k int, ${ident(n)} int)`);
      await client.query(sql`INSERT INTO ${t} SELECT g, g FROM generate_series(1, 10) g`);
      for (const repeated of [
        sql`select ${ident(n)} from ${t} where k = $1`,
        sql`select ${ident(n)} from ${t} where k = $1 order by ${ident(n)} limit $2`,
      ]) {
        const run = {
          where: null,
          source: "select k from orders",
          repeated,
          occurrences: 10,
          repeats: { min: 20, median: 20, max: 20 },
          totalMs: 2000,
          wastedMs: 1900,
          inTransaction: 0,
          concurrent: null,
        };
        const [finding] = runRules(LOG_RULES, { runs: [run], totalMs: 2000, dialect: "postgres" as const });
        expect(finding?.fix?.sql).toBeTruthy();
        covered.add(finding?.ruleId as string);
        const params = repeated.includes("limit") ? [[1, 2, 3], 5] : [[1, 2, 3]];
        const { rows } = await client.query(finding?.fix?.sql as string, params);
        // One row per key either way; each row names its key (k, or the LATERAL join's value).
        expect(rows).toHaveLength(3);
        expect(rows.map((r) => Number(r.k ?? r.value)).sort()).toEqual([1, 2, 3]);
      }
    }
  });

  describe("ALTER SYSTEM fixes on a private server", () => {
    let priv: PrivatePostgres | null = null;
    afterAll(() => priv?.remove());

    it("each one sets its value in postgresql.auto.conf", async () => {
      if (server.name !== "pg15") return; // once is enough: the statements are the same on both
      expect(serverWide.length).toBeGreaterThan(0);
      priv = startPrivatePostgres(PG15_BIN, 55_000 + Math.floor(Math.random() * 900), {});
      const c = new pg.Client({ connectionString: priv.url });
      await c.connect();
      try {
        for (const { sql: statement } of serverWide) {
          await c.query(statement);
          const m = /^ALTER SYSTEM SET (\S+) = /i.exec(statement);
          if (m?.[1]) {
            const { rows } = await c.query(
              "select count(*)::int as n from pg_file_settings where name = $1 and applied is not null",
              [m[1].replace(/"/g, "")],
            );
            expect(rows[0].n, statement).toBeGreaterThan(0);
          }
        }
        await c.query("alter system reset all");
      } finally {
        await c.end();
      }
    }, 60_000);
  });
});

function analyzeFixture(version: "pg15" | "pg18", name: string) {
  return analyzePlan(
    parsePlan(readFileSync(new URL(`../fixtures/plans/${version}/${name}.json`, import.meta.url), "utf8")),
  );
}

describe("completeness", () => {
  it("every rule whose source can build fix SQL had its fix run above", () => {
    if (servers.length === 0) return;
    // MySQL/MariaDB plan rules build MySQL fixes: they run on MariaDB in mysql-plan-fix-awkward-names.test.ts.
    const rules = [...PLAN_RULES, ...HEALTH_RULES, ...WORKLOAD_RULES, ...LOG_RULES].filter(
      (r) => !r.dialects || r.dialects.includes("postgresql"),
    );
    const withSql = rules.filter((r) => {
      const source = readFileSync(new URL(`../../src/rules/${r.id}.ts`, import.meta.url), "utf8");
      return /\bsql:/.test(source) || /\bsql`/.test(source);
    });
    expect(withSql.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });
});
