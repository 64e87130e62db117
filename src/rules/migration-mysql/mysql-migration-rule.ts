/**
 * MySQL/MariaDB migration rules look at one ALTER at a time, with the plan the documentation tables give it
 * (facts/migration-mysql/statement-plan.ts). This wraps such a check into a Rule: statements already applied and
 * tables created earlier in the set are skipped; each finding is placed at file:line:column with the statement,
 * and carries the algorithm, lock, rebuild and table size as evidence, graded by size as the PostgreSQL rules are.
 */
import type {
  MysqlMigrationFacts,
  MysqlMigrationStatement,
} from "../../facts/migration-mysql/mysql-migration-set.js";
import type { StatementPlan } from "../../facts/migration-mysql/statement-plan.js";
import type { Finding, Fix, Severity } from "../../findings/finding.js";
import { formatBytes } from "../../util/format.js";
import type { Rule, RuleOption } from "../rule.js";

export interface MysqlMigrationHit {
  severity: Severity;
  title: string;
  detail: string;
  fix?: Fix;
  /** Grade by the table's size: one level down below smallTableBytes, error from largeTableBytes. */
  bySize?: boolean;
}

export type MysqlMigrationOptions = { smallTableBytes: number; largeTableBytes: number };

export type PlannedStatement = MysqlMigrationStatement & { plan: StatementPlan };

const MYSQL_MIGRATION_OPTIONS: { [K in keyof MysqlMigrationOptions]: RuleOption } = {
  smallTableBytes: {
    default: 10 * 1024 * 1024,
    description: "a table smaller than this (bytes, when --db gives sizes) is graded one level down",
  },
  largeTableBytes: {
    default: 1024 * 1024 * 1024,
    description:
      "from this size (bytes) a blocking change is an error and pt-online-schema-change or gh-ost is the fix",
  },
};

interface Spec {
  id: string;
  title: string;
  description: string;
  maxSeverity: Severity;
  docsUrl: string;
  check: (
    st: PlannedStatement,
    facts: MysqlMigrationFacts,
    options: MysqlMigrationOptions,
  ) => MysqlMigrationHit[];
}

export function mysqlMigrationRule(spec: Spec): Rule<MysqlMigrationFacts, MysqlMigrationOptions> {
  return {
    id: spec.id,
    family: "migration",
    title: spec.title,
    description: `${spec.description} MySQL 8.0/8.4 and MariaDB 10.6+.`,
    maxSeverity: spec.maxSeverity,
    docsUrl: spec.docsUrl,
    options: MYSQL_MIGRATION_OPTIONS,
    check(facts, options) {
      const out: Finding[] = [];
      for (const st of facts.statements) {
        if (st.applied || st.newTable || !st.plan) continue;
        const planned = st as PlannedStatement;
        for (const hit of spec.check(planned, facts, options))
          out.push(toFinding(spec, planned, facts, hit, options));
      }
      return out;
    },
  };
}

function toFinding(
  spec: Spec,
  st: PlannedStatement,
  facts: MysqlMigrationFacts,
  hit: MysqlMigrationHit,
  o: MysqlMigrationOptions,
): Finding {
  const bytes = st.table?.bytes ?? null;
  let severity = hit.severity;
  if (hit.bySize && bytes !== null) {
    if (bytes >= o.largeTableBytes) severity = "error";
    else if (bytes < o.smallTableBytes) severity = severity === "error" ? "warning" : "info";
  }
  const table = st.table ? tableLabel(st.table) : null;
  const sizeNote =
    bytes !== null && table
      ? ` ${table} holds ${formatBytes(bytes)}${st.table?.rows != null ? ` (about ${Math.round(st.table.rows).toLocaleString("en-US")} rows)` : ""}.`
      : "";
  const assumption = st.plan.operations.find((op) => op.assumption)?.assumption;
  return {
    ruleId: spec.id,
    severity,
    title: hit.title,
    detail: `${hit.detail}${sizeNote}${assumption ? ` Assumed: ${assumption}.` : ""}`,
    evidence: {
      server: `${facts.server.flavour === "mysql" ? "MySQL" : "MariaDB"} ${facts.server.version.join(".")}`,
      algorithm: st.plan.used,
      lock: st.plan.usedLock,
      blocks:
        st.plan.usedLock === "NONE"
          ? "nothing (metadata lock only at start and end)"
          : st.plan.usedLock === "SHARED"
            ? "writes"
            : "reads and writes",
      rewrite: st.plan.rebuild,
      bestAlgorithm: st.plan.best,
      operations: [...new Set(st.plan.operations.map((op) => op.operation))].join("; "),
      tableBytes: bytes,
      tableRows: st.table?.rows ?? null,
    },
    ...(hit.fix ? { fix: { ...hit.fix, dialect: "mysql" as const } } : {}),
    docsUrl: st.plan.operations[0]?.docsUrl ?? spec.docsUrl,
    impact: bytes ?? 0,
    ...(table ? { objects: [table] } : {}),
    query: st.text,
    location: { file: st.file, line: st.line, column: st.column },
  };
}

export function tableLabel(t: { schema: string | null; name: string }): string {
  return t.schema ? `${t.schema}.${t.name}` : t.name;
}

/** Large enough (or of unknown size) that a blocking change should go through an online schema change tool. */
export function wantsOnlineTool(st: PlannedStatement, o: MysqlMigrationOptions): boolean {
  const bytes = st.table?.bytes ?? null;
  return bytes === null || bytes >= Math.min(o.smallTableBytes, o.largeTableBytes);
}
