import { indexObject } from "../../facts/snapshot-accessors.js";
import type { Finding } from "../../findings/finding.js";
import { formatBytes } from "../../util/format.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";
import { dropIndex } from "./index-fix-suggestion.js";
import { backsConstraint, indexShape } from "./index-shape.js";
import { severityFromBytes } from "./severity-from-bytes.js";

type Options = Record<string, never>;

/**
 * A B-tree whose keys are the leading keys of another B-tree on the same table, with the same predicate: the
 * longer index serves every search the shorter one does. A unique or constraint index is never called redundant.
 */
export const redundantIndex: Rule<HealthFacts, Options> = {
  id: "health/redundant-index",
  family: "health",
  group: "indexes",
  title: "Index is a prefix of another index",
  description:
    "A B-tree on (a) next to one on (a, b) with the same predicate: the wider index answers every lookup of the narrower one, which only costs writes and space.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/indexes-multicolumn.html",
  options: {},
  check({ snapshot }) {
    const findings: Finding[] = [];
    for (const index of snapshot.indexes) {
      if (index.method !== "btree" || !index.isValid || index.isUnique || backsConstraint(index)) continue;
      const shape = indexShape(index);
      const covering = snapshot.indexes.find((other) => {
        if (
          other === index ||
          !other.isValid ||
          other.tableSchema !== index.tableSchema ||
          other.table !== index.table
        )
          return false;
        const o = indexShape(other);
        return (
          o.method === "btree" &&
          o.rest === shape.rest &&
          o.keys.length > shape.keys.length &&
          shape.keys.every((k, i) => o.keys[i] === k) &&
          shape.include.every((c) => o.keys.includes(c) || o.include.includes(c))
        );
      });
      if (!covering) continue;
      // Partitions' copies of their parent's indexes: the parent's finding covers them.
      if (index.parentIndex && covering.parentIndex) continue;
      const coveringShape = indexShape(covering);
      const drop = dropIndex(snapshot, index);
      findings.push({
        ruleId: this.id,
        severity: severityFromBytes(index.sizeBytes, snapshot.database.sizeBytes),
        title: `${index.name} (${shape.keys.join(", ")}) is covered by ${covering.name} (${coveringShape.keys.join(", ")})`,
        detail: `Every search on ${index.name}'s keys can use ${covering.name} instead; dropping it frees ${formatBytes(index.sizeBytes)} and a write per row change.`,
        evidence: {
          index: index.name,
          coveredBy: covering.name,
          bytes: index.sizeBytes,
          scans: index.stats?.idxScan ?? null,
          coveringScans: covering.stats?.idxScan ?? null,
        },
        fix: {
          sql: drop.sql,
          note: `${covering.name} is wider, so a lookup through it reads a little more; on the rare query where that matters, keep both.${drop.caveat}`,
        },
        docsUrl: this.docsUrl,
        impact: index.sizeBytes,
        objects: [indexObject(index), indexObject(covering)],
      });
    }
    return findings;
  },
};
