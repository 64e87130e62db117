import type { IndexFacts } from "../../facts/snapshot.js";
import { indexObject, tableOf } from "../../facts/snapshot-accessors.js";
import type { Finding } from "../../findings/finding.js";
import { formatBytes } from "../../util/format.js";
import { lines, sqlFrom } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";
import { dropIndex } from "./index-fix-suggestion.js";

type Options = Record<string, never>;

/**
 * An index left invalid by a failed CREATE INDEX CONCURRENTLY (or REINDEX CONCURRENTLY): no query uses it, but
 * writes still maintain it. One whose build is still running is not reported. Nor is an index of a partitioned
 * table: it is invalid only because some partition has no valid index attached to it (PostgreSQL refuses to
 * attach an invalid one, and cannot build one concurrently), so it is unfinished, not broken; dropping or
 * rebuilding it is the wrong advice. health/partition-missing-index reports it with the fix that makes it valid:
 * build the missing partitions' indexes and attach them.
 */
export const invalidIndex: Rule<HealthFacts, Options> = {
  id: "health/invalid-index",
  family: "health",
  group: "indexes",
  title: "Invalid index",
  description:
    "An index marked invalid, usually left behind by a CREATE INDEX CONCURRENTLY that failed (a duplicate key, a cancel, a deadlock). Queries ignore it; writes still pay for it.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY",
  options: {},
  check({ snapshot }) {
    // By oid: the same index name can exist in another schema, whose build says nothing of this one.
    const buildingOids = new Set(snapshot.activity.indexBuilds.map((b) => b.indexOid));
    const buildingNames = new Set(
      snapshot.activity.indexBuilds
        .filter((b) => b.indexOid === undefined)
        .map((b) => b.index.replace(/^.*\./, "")),
    );
    const building = (i: IndexFacts) => buildingOids.has(i.oid) || buildingNames.has(i.name);
    const onPartitioned = (i: IndexFacts) =>
      tableOf(snapshot, i.tableSchema, i.table)?.kind === "partitioned";
    return snapshot.indexes
      .filter((i) => !i.isValid && !building(i) && !onPartitioned(i))
      .map((index): Finding => {
        // REINDEX CONCURRENTLY leaves a failed copy named ..._ccnew (or the old one, ..._ccold): the real index
        // still exists, so only the leftover goes. Otherwise build the same definition again.
        const leftover = /_cc(new|old)\d*$/.test(index.name);
        const drop = dropIndex(snapshot, index);
        const recreate = leftover
          ? null
          : sqlFrom(
              "server",
              `${index.definition.replace(/^CREATE (UNIQUE )?INDEX /, "CREATE $1INDEX CONCURRENTLY ")};`,
            );
        return {
          ruleId: this.id,
          severity: "warning",
          title: `${index.name} on ${index.table} is invalid`,
          detail: `No query can use it, yet every write to ${index.table} maintains it (${formatBytes(index.sizeBytes)}).${index.isUnique ? " A unique build usually fails on duplicate values: remove them before rebuilding." : ""}`,
          evidence: {
            index: index.name,
            table: index.table,
            bytes: index.sizeBytes,
            unique: index.isUnique,
            ready: index.isReady,
          },
          fix: {
            sql: lines([drop.sql, recreate]),
            note: leftover
              ? `A leftover of a REINDEX CONCURRENTLY that failed: the index it was rebuilding is still in place, so this one only needs dropping.${drop.caveat}`
              : `Drop it, then build it again concurrently (or leave it out if it is not needed); CREATE INDEX CONCURRENTLY cannot run inside a transaction block either.${drop.caveat}`,
          },
          docsUrl: this.docsUrl,
          impact: index.sizeBytes + 1,
          objects: [indexObject(index)],
        };
      });
  },
};
