/**
 * Migration rules look at one statement at a time, in the context of its set. This wraps a per-statement check
 * into a Rule: it skips suppressed statements, places each finding at file:line:column with the statement's
 * text, and records the lock and the rewrite as evidence, so every reporter can show what the statement holds up.
 */

import { blockedBy, type LockMode, relationName } from "../../facts/migration/lock-model.js";
import {
  type MigrationFacts,
  type MigrationStatement,
  tableSize,
} from "../../facts/migration/migration-set.js";
import type { Finding, Fix, Severity } from "../../findings/finding.js";
import { formatBytes } from "../../util/format.js";
import type { Rule, RuleOption } from "../rule.js";

export interface MigrationHit {
  severity: Severity;
  title: string;
  detail: string;
  fix?: Fix;
  /** The existing table the hazard is on. */
  table?: string;
  lock?: LockMode;
  /** The statement rewrites the table (a new file on disk), or reads it whole, under its lock. */
  rewrite?: boolean;
  scan?: boolean;
}

type Options = { smallTableBytes: number };

interface MigrationRuleSpec {
  id: string;
  title: string;
  description: string;
  maxSeverity: Severity;
  docsUrl: string;
  /** The first PostgreSQL major version the hazard (or its fix) exists in; default 13, the oldest supported. */
  appliesFrom?: number;
  check: (st: MigrationStatement, facts: MigrationFacts) => MigrationHit[];
}

const SMALL_TABLE: RuleOption = {
  default: 10 * 1024 * 1024,
  description:
    "a rewrite or full scan of a table smaller than this (bytes, when --db gives sizes) is graded one level down",
};

export function migrationRule(spec: MigrationRuleSpec): Rule<MigrationFacts, Options> {
  return {
    id: spec.id,
    family: "migration",
    title: spec.title,
    description: `${spec.description} Applies to PostgreSQL ${spec.appliesFrom ?? 13} and later.`,
    maxSeverity: spec.maxSeverity,
    docsUrl: spec.docsUrl,
    options: { smallTableBytes: SMALL_TABLE },
    check(facts, options) {
      const out: Finding[] = [];
      if (facts.pgVersion < (spec.appliesFrom ?? 13)) return out;
      for (const st of facts.statements) {
        if (st.applied || st.ignored.has(spec.id) || st.ignored.has("all")) continue;
        for (const hit of spec.check(st, facts)) out.push(toFinding(spec, st, facts, hit, options));
      }
      return out;
    },
  };
}

function toFinding(
  spec: MigrationRuleSpec,
  st: MigrationStatement,
  facts: MigrationFacts,
  hit: MigrationHit,
  options: Options,
): Finding {
  const size = hit.table ? tableSize(facts, hit.table) : null;
  // Rewriting or scanning a small table is over in moments; the lock itself is the lock-timeout rule's business.
  const small = (hit.rewrite || hit.scan) && size?.bytes != null && size.bytes < options.smallTableBytes;
  const severity: Severity = small ? (hit.severity === "error" ? "warning" : "info") : hit.severity;
  const sizeNote =
    size?.bytes != null
      ? ` ${hit.table} holds ${formatBytes(size.bytes)}${size.rows != null ? ` (${Math.round(size.rows).toLocaleString("en-US")} rows)` : ""}.`
      : "";
  return {
    ruleId: spec.id,
    severity,
    title: hit.title,
    // A statement of a DO block runs inside the block's transaction: a recipe that must run outside one moves out.
    detail: `${hit.detail}${sizeNote}${st.within ? ` It runs inside the ${st.within}: a fix that cannot run in a transaction (CONCURRENTLY) goes outside the block.` : ""}`,
    evidence: {
      lock: hit.lock ?? null,
      blocks: hit.lock ? blockedBy(hit.lock) : null,
      rewrite: hit.rewrite ?? false,
      tableBytes: size?.bytes ?? null,
    },
    ...(hit.fix ? { fix: hit.fix } : {}),
    docsUrl: spec.docsUrl,
    impact: size?.bytes ?? 0,
    ...(hit.table ? { objects: [hit.table] } : {}),
    query: st.sql,
    location: { file: st.file, line: st.line, column: st.column },
  };
}

/** The body of a statement of one kind, or null. */
export function bodyOf(st: MigrationStatement, kind: string): Record<string, unknown> | null {
  return st.kind === kind ? (st.stmt[kind] as Record<string, unknown>) : null;
}

/** ALTER TABLE subcommands, with the table they act on. */
export function alterTableCommands(
  st: MigrationStatement,
): Array<{ table: string | null; rel: unknown; cmd: Record<string, unknown> }> {
  const body = bodyOf(st, "AlterTableStmt");
  if (body?.objtype !== "OBJECT_TABLE") return [];
  const table = relationName(body.relation);
  return ((body.cmds as Array<Record<string, unknown>>) ?? []).map((c) => ({
    table,
    rel: body.relation,
    cmd: c.AlterTableCmd as Record<string, unknown>,
  }));
}
