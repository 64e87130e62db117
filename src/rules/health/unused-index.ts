import type { IndexFacts, Snapshot } from "../../facts/snapshot.js";
import { indexObject, statsAgeSeconds } from "../../facts/snapshot-accessors.js";
import type { Finding } from "../../findings/finding.js";
import { formatAge, formatBytes, formatCount } from "../../util/format.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";
import { dropIndex } from "./index-fix-suggestion.js";
import { backsConstraint } from "./index-shape.js";
import { severityFromBytes } from "./severity-from-bytes.js";

type Options = { maxScans: number; minBytes: number; minStatsDays: number };

/**
 * The indexes to judge: a partition's index attached to its parent's counts in the parent's, whose scans are
 * its partitions' summed (a partitioned index has no counters of its own), so it is reported once.
 */
function onePerTree(snapshot: Snapshot): IndexFacts[] {
  const children = new Map<string, IndexFacts[]>();
  for (const i of snapshot.indexes)
    if (i.parentIndex) children.set(i.parentIndex, [...(children.get(i.parentIndex) ?? []), i]);
  const leafStats = (root: IndexFacts): IndexFacts["stats"] => {
    const sum = { idxScan: 0, idxTupRead: 0, idxTupFetch: 0 };
    let counted = false;
    const stack = [...(children.get(`${root.schema}.${root.name}`) ?? [])];
    for (let i = stack.pop(); i; i = stack.pop()) {
      stack.push(...(children.get(`${i.schema}.${i.name}`) ?? []));
      if (!i.stats) continue;
      counted = true;
      sum.idxScan += i.stats.idxScan;
      sum.idxTupRead += i.stats.idxTupRead;
      sum.idxTupFetch += i.stats.idxTupFetch;
    }
    return counted ? sum : null;
  };
  return snapshot.indexes
    .filter((i) => !i.parentIndex)
    .map((i) => (children.has(`${i.schema}.${i.name}`) ? { ...i, stats: leafStats(i) } : i));
}

/**
 * An index no query has used since statistics began, weighted by its size. Statistics that are only hours old
 * prove little, so the finding says how long they have been collecting and stays informational until then.
 */
export const unusedIndex: Rule<HealthFacts, Options> = {
  id: "health/unused-index",
  family: "health",
  group: "indexes",
  title: "Unused index",
  description:
    "An index with (almost) no scans since the statistics were reset or the server started. It is maintained on every write and takes space; constraint indexes are left out.",
  maxSeverity: "error",
  docsUrl:
    "https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ALL-INDEXES-VIEW",
  options: {
    maxScans: { default: 0, description: "index scans at or below which an index counts as unused" },
    minBytes: {
      default: 1024 * 1024,
      description: "bytes, below which an unused index is not worth a finding",
    },
    minStatsDays: {
      default: 7,
      description: "days of statistics needed before the finding is more than a hint",
    },
  },
  check({ snapshot }, o) {
    const age = statsAgeSeconds(snapshot);
    const mature = age !== null && age >= o.minStatsDays * 86_400;
    return onePerTree(snapshot)
      .filter((i) => i.isValid && !i.isUnique && !backsConstraint(i) && i.stats !== null)
      .filter((i) => (i.stats?.idxScan ?? 0) <= o.maxScans && i.sizeBytes >= o.minBytes)
      .map((index): Finding => {
        const drop = dropIndex(snapshot, index);
        const since =
          age === null ? "since statistics began" : `in the ${formatAge(age)} since statistics began`;
        return {
          ruleId: this.id,
          severity: mature ? severityFromBytes(index.sizeBytes, snapshot.database.sizeBytes) : "info",
          title: `${index.name} on ${index.table} was scanned ${formatCount(index.stats?.idxScan ?? 0)} times ${since} (${formatBytes(index.sizeBytes)})`,
          detail:
            `Every insert and every non-HOT update of ${index.table} still maintains it.` +
            (mature
              ? ""
              : ` The statistics are only ${age === null ? "of unknown age" : formatAge(age)} old: wait for a full business cycle before dropping it.`) +
            " Scans on standbys are not counted here: check them before dropping.",
          evidence: {
            index: index.name,
            table: index.table,
            scans: index.stats?.idxScan ?? 0,
            bytes: index.sizeBytes,
            statsAgeDays: age === null ? null : Math.round((age / 86_400) * 10) / 10,
            definition: index.definition,
          },
          fix: {
            sql: drop.sql,
            note: `Keep the definition to recreate it if needed: ${index.definition};${drop.caveat}`,
          },
          docsUrl: this.docsUrl,
          impact: index.sizeBytes,
          objects: [indexObject(index)],
        };
      });
  },
};
