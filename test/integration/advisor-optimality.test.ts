import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adviseIndexes } from "../../src/advisors/index/advise-indexes.js";
import { HypoPgWhatIf } from "../../src/advisors/index/hypopg-what-if.js";
import { parseWorkloadFile } from "../../src/advisors/index/workload-file.js";
import { prepareWorkload, type WorkloadQuery } from "../../src/advisors/index/workload-query.js";
import { PostgresConnector } from "../../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { collectSnapshot } from "../../src/facts/collect/collect-snapshot.js";
import type { Snapshot } from "../../src/facts/snapshot.js";
import { loadSqlParser } from "../../src/util/sql-parser.js";
import { FIXTURES } from "../support/fixtures.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

const MB = 1024 * 1024;

describe.each(server("pg15"))("greedy index selection against the optimum ($name, HypoPG)", (pg15) => {
  let database: TestDatabase;
  let db: PostgresConnector;
  let snapshot: Snapshot;
  let queries: WorkloadQuery[];

  beforeAll(async () => {
    await loadSqlParser();
    database = await createTestDatabase(
      pg15,
      readFileSync(join(FIXTURES, "advisor", "advisor-schema.sql"), "utf8"),
    );
    await runAsAdmin(database.url, "vacuum (freeze, analyze)");
    await runAsAdmin(database.url, "create extension hypopg");
    db = await PostgresConnector.connect(resolveTarget({ db: database.url }));
    const statements = parseWorkloadFile(
      readFileSync(join(FIXTURES, "advisor", "advisor-workload.sql"), "utf8"),
      "workload",
    );
    snapshot = await collectSnapshot(db, { extraStatements: statements.map((s) => s.sql) });
    queries = prepareWorkload(statements, snapshot);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it.each([1 * MB, 5 * MB, 20 * MB, null])(
    "stays within 1%% of the best subset of 10 candidates (budget %s)",
    async (budget) => {
      const run = async (strategy: "greedy" | "exhaustive") => {
        const whatIf = await HypoPgWhatIf.open(db);
        try {
          const options = {
            budgetBytes: budget,
            maxIndexes: null,
            minImprovement: 0,
            maxCandidates: 10,
            windowScale: 0,
            strategy,
          };
          return await adviseIndexes(queries, snapshot, whatIf, "test", options);
        } finally {
          await whatIf.close();
        }
      };
      const greedy = await run("greedy");
      const optimum = await run("exhaustive");
      expect(optimum.selection.netValueMs).toBeGreaterThan(0);
      expect(greedy.selection.netValueMs).toBeGreaterThanOrEqual(optimum.selection.netValueMs * 0.99);
      if (budget !== null)
        expect(greedy.recommendations.reduce((s, r) => s + r.sizeBytes, 0)).toBeLessThanOrEqual(budget);
    },
  );
});
