import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { collectSnapshot } from "../facts/collect/collect-snapshot.js";
import type { MachineFacts } from "../facts/machine-facts.js";
import type { Snapshot } from "../facts/snapshot.js";
import { statsAgeSeconds } from "../facts/snapshot-accessors.js";
import { type Finding, rankFindings } from "../findings/finding.js";
import { mergeByParent } from "../findings/partition-findings.js";
import { withTimeShare } from "../findings/ranking.js";
import type { HealthFacts } from "../rules/health/health-facts.js";
import { indexBloat } from "../rules/health/index-bloat.js";
import { tableBloatCheck } from "../rules/health/table-bloat.js";
import { HEALTH_RULES, WORKLOAD_RULES } from "../rules/registry.js";
import { type RuleOverrides, runRules } from "../rules/run-rules.js";
import { RULES_ON_STORED_FACTS } from "../store/export-sample.js";
import type { CheckReport } from "./check-report.js";

export interface CheckOptions {
  machine?: MachineFacts;
  overrides?: RuleOverrides;
  /** Measure bloat with pgstattuple / pgstatindex (reads every table and index of 10 MB or more). */
  exact?: boolean;
}

/** Relations smaller than both bloat rules' minBytes cannot be reported: no need to read them. */
function exactMinBytes(overrides: RuleOverrides | undefined): number {
  const minBytes = (rule: typeof tableBloatCheck | typeof indexBloat) =>
    overrides?.[rule.id]?.minBytes ?? rule.options.minBytes.default;
  return Math.min(minBytes(tableBloatCheck), minBytes(indexBloat));
}

/** Run every health, configuration and workload check over a snapshot (live or from a file). */
export function checkSnapshot(snapshot: Snapshot, target: string, options: CheckOptions = {}): CheckReport {
  const facts: HealthFacts = { snapshot, ...(options.machine ? { machine: options.machine } : {}) };
  // A snapshot exported from the history store lacks columns, constraints and more: only the checks that read
  // what it holds run on it, rather than report tables "without a primary key" that have one.
  const partial = (snapshot.absent?.length ?? 0) > 0;
  const healthRules = partial ? HEALTH_RULES.filter((r) => RULES_ON_STORED_FACTS.has(r.id)) : HEALTH_RULES;
  const findings: Finding[] = [
    ...runRules(healthRules, facts, options.overrides),
    ...runRules(WORKLOAD_RULES, { snapshot }, options.overrides),
  ];
  return {
    kind: "check",
    target,
    server: { version: snapshot.server.version, database: snapshot.server.database },
    capturedAt: snapshot.capturedAt,
    statsAgeSeconds: statsAgeSeconds(snapshot),
    // One item per fix, ranked: risks, then what costs statement time (workload findings), then hygiene.
    // One item per fix, then one per partitioned table: the same index on several partitions goes on the parent.
    findings: rankFindings(withTimeShare(mergeByParent(findings, snapshot), snapshot.workload.totalMs)),
    notes: [
      ...(partial
        ? [
            `exported from the history store, this snapshot holds no ${snapshot.absent?.join(", ")}: ${HEALTH_RULES.length - healthRules.length} checks that read them were not run (run dbopt check on the database for them)`,
          ]
        : []),
      ...privilegeNotes(snapshot, options.machine),
    ],
  };
}

export async function checkDatabase(
  db: PostgresConnector,
  options: CheckOptions = {},
): Promise<{ report: CheckReport; snapshot: Snapshot }> {
  const snapshot = await collectSnapshot(
    db,
    options.exact ? { exactBloatMinBytes: exactMinBytes(options.overrides) } : {},
  );
  const report = checkSnapshot(snapshot, db.target.display, options);
  const pgstattuple = (await db.capabilities()).pgstattuple;
  if (options.exact && !pgstattuple.installedVersion) {
    report.notes.unshift(
      pgstattuple.available
        ? "--exact needs the pgstattuple extension: CREATE EXTENSION pgstattuple; (bloat figures below are estimates)"
        : "--exact needs the pgstattuple extension, which this server does not have (install the contrib package)",
    );
  }
  return { report, snapshot };
}

/** Objects left out of the snapshot, each with who holds the lock on it: no check says anything about them. */
function skippedNotes(snapshot: Snapshot): string[] {
  return (snapshot.skipped ?? []).map(
    (s) => `skipped ${s.kind} ${s.schema}.${s.name} (no check covers it): ${s.reason}`,
  );
}

/** What the checks could not see with this role's privileges or without machine figures. */
export function privilegeNotes(snapshot: Snapshot, machine: MachineFacts | undefined): string[] {
  const notes: string[] = skippedNotes(snapshot);
  const role = snapshot.server.currentUser;
  if (!snapshot.server.canMonitor) {
    notes.push(
      `activity checks see only ${role}'s own sessions and statements: GRANT pg_monitor TO ${role};`,
    );
  }
  const hidden = snapshot.sequences.filter((s) => !s.readable);
  if (hidden.length) {
    notes.push(
      `${hidden.length} sequence${hidden.length === 1 ? " was" : "s were"} skipped by the sequence check: ${role} may not read ${hidden.length === 1 ? "it" : "them"} (GRANT SELECT ON ALL SEQUENCES IN SCHEMA ... TO ${role};)`,
    );
  }
  const unknownWidth = snapshot.tables.filter(
    (t) => t.kind === "table" && t.rowWidth === null && t.rowsEstimate > 0,
  );
  if (unknownWidth.length) {
    notes.push(
      `bloat estimates skipped ${unknownWidth.length} table${unknownWidth.length === 1 ? "" : "s"} without column statistics (never analyzed, or no SELECT privilege for ${role})`,
    );
  }
  if (snapshot.workload.problem) notes.push(`workload checks skipped: ${snapshot.workload.problem}`);
  if (!machine?.ramBytes)
    notes.push("memory checks need the machine's RAM: pass --ram 16GB (and --storage ssd|hdd|san)");
  return notes;
}
