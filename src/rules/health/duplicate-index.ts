import type { IndexFacts } from "../../facts/snapshot.js";
import { indexObject } from "../../facts/snapshot-accessors.js";
import type { Finding } from "../../findings/finding.js";
import { formatBytes } from "../../util/format.js";
import { lines } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";
import { dropIndex } from "./index-fix-suggestion.js";
import { backsConstraint, indexShape, sameShape } from "./index-shape.js";
import { severityFromBytes } from "./severity-from-bytes.js";

type Options = Record<string, never>;

/** Two or more indexes with the same method, keys, INCLUDE list and predicate on one table. */
export const duplicateIndex: Rule<HealthFacts, Options> = {
  id: "health/duplicate-index",
  family: "health",
  group: "indexes",
  title: "Duplicate index",
  description:
    "Indexes with the same definition on the same table: every write maintains each of them and they take space twice, while any one of them serves the reads.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/sql-dropindex.html",
  options: {},
  check({ snapshot }) {
    const findings: Finding[] = [];
    const seen = new Set<number>();
    for (const index of snapshot.indexes) {
      if (seen.has(index.oid) || !index.isValid) continue;
      const shape = indexShape(index);
      const twins = snapshot.indexes.filter(
        (other) =>
          other.tableSchema === index.tableSchema &&
          other.table === index.table &&
          other.isValid &&
          sameShape(indexShape(other), shape),
      );
      if (twins.length < 2) continue;
      for (const twin of twins) seen.add(twin.oid);
      // Partitions' copies of their parent's twin indexes: the parent's finding covers them.
      if (twins.every((t) => t.parentIndex)) continue;
      const keep = chooseKeeper(twins);
      const drop = twins.filter((t) => t !== keep);
      const statements = drop.map((t) => dropIndex(snapshot, t));
      const bytes = drop.reduce((sum, t) => sum + t.sizeBytes, 0);
      findings.push({
        ruleId: this.id,
        severity:
          severityFromBytes(bytes, snapshot.database.sizeBytes) === "info"
            ? "warning"
            : severityFromBytes(bytes, snapshot.database.sizeBytes),
        title: `${twins.map((t) => t.name).join(" and ")} on ${index.table} are the same index`,
        detail: `All are ${indexShape(keep).method} on (${indexShape(keep).keys.join(", ")}); keeping ${keep.name}${backsConstraint(keep) ? ` (it backs constraint ${keep.constraint})` : ""} frees ${formatBytes(bytes)} and the write work of ${drop.length} index${drop.length > 1 ? "es" : ""}.`,
        evidence: {
          table: `${index.tableSchema}.${index.table}`,
          keep: keep.name,
          drop: drop.map((t) => t.name).join(", "),
          bytesFreed: bytes,
          scansOfDropped: drop.reduce((sum, t) => sum + (t.stats?.idxScan ?? 0), 0),
        },
        fix: {
          sql: lines(statements.map((d) => d.sql)),
          note: `Queries that named a dropped index in hints, if any, will use the kept one.${[...new Set(statements.map((d) => d.caveat))].join("")}`,
        },
        docsUrl: this.docsUrl,
        impact: bytes,
        objects: twins.map(indexObject),
      });
    }
    return findings;
  },
};

/** Keep the primary key (replica identity, ORMs and foreign keys lean on it), else the one that backs a constraint,
 * else a unique one, else the most used, else the first by name. */
function chooseKeeper(twins: IndexFacts[]): IndexFacts {
  return [...twins].sort(
    (a, b) =>
      Number(b.isPrimary) - Number(a.isPrimary) ||
      Number(backsConstraint(b)) - Number(backsConstraint(a)) ||
      Number(b.isUnique) - Number(a.isUnique) ||
      (b.stats?.idxScan ?? 0) - (a.stats?.idxScan ?? 0) ||
      a.name.localeCompare(b.name),
  )[0] as IndexFacts;
}
