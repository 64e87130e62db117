/**
 * The first step of the index search: the candidates from the statements' shapes (generate-candidates.ts) on the
 * tables in scope, split into those the what-if can measure and those listed as not measured, with why.
 */
import type { Snapshot } from "../../facts/snapshot.js";
import type { UnmeasuredCandidate } from "./advice-report.js";
import type { AdviseOptions } from "./advise-indexes.js";
import { extensionState, requirementOf, withRequirement } from "./extension-requirement.js";
import { generateCandidates } from "./generate-candidates.js";
import { candidateDdl, type IndexCandidate } from "./index-candidate.js";
import { partitionedRecipe } from "./partitioned-index.js";
import type { WhatIf } from "./what-if.js";
import type { WorkloadQuery } from "./workload-query.js";

export interface GatheredCandidates {
  /** Every candidate on the tables in scope. */
  all: IndexCandidate[];
  /** Those the what-if can simulate (HypoPG's methods, or anything on a sandbox) whose extension exists. */
  simulable: IndexCandidate[];
  unmeasured: UnmeasuredCandidate[];
}

export function gatherCandidates(
  workload: WorkloadQuery[],
  snapshot: Snapshot,
  whatIf: WhatIf,
  options: AdviseOptions,
): GatheredCandidates {
  const inScope = (schema: string, table: string) =>
    (!options.tables?.length || options.tables.some((t) => t === table || t === `${schema}.${table}`)) &&
    !options.exclude?.some((t) => t === table || t === `${schema}.${table}`);
  const all = generateCandidates(workload, snapshot)
    .filter((c) => inScope(c.schema, c.table))
    .map((c) => withRequirement(c, options.extensions));
  const missing = (c: IndexCandidate) =>
    c.requires !== null && extensionState(c, options.extensions) === "missing";
  const simulable = all.filter((c) => !missing(c) && (c.hypothetical || whatIf.kind === "sandbox"));
  const unmeasured: UnmeasuredCandidate[] = all
    .filter((c) => !simulable.includes(c))
    .map((c) => ({
      ddl:
        partitionedRecipe(c, snapshot)
          ?.map((s) => s.sql)
          .join("\n") ?? candidateDdl(c),
      reason: c.reason,
      ...requirementOf(c, options.extensions),
      why: missing(c)
        ? `Not measured: the ${c.requires} extension is not available on this server; install PostgreSQL's contrib package (Debian/Ubuntu: postgresql-contrib, part of the server package since PostgreSQL 10) to use it`
        : `Not measured: HypoPG cannot simulate ${c.method.toUpperCase()} indexes, so the planner cannot say what this one saves; verify with dbopt advise --sandbox on a copy of the database, which builds it for real`,
    }));
  return { all, simulable, unmeasured };
}
