import type { EvidenceValue, Finding, Severity } from "../../findings/finding.js";
import { formatFactor } from "../../util/format.js";
import { sqlFrom } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";

type Options = { errorRatio: number; errorAddedMs: number };

export type RegressionCauseKind =
  | "index-dropped"
  | "plan-changed"
  | "setting-changed"
  | "table-grew"
  | "statistics-analyzed";

/** One change between the two windows (or sides) that can explain a slower statement. */
export interface RegressionCause {
  kind: RegressionCauseKind;
  /** How likely it is the cause (causeScore): the causes are listed and the finding titled most likely first. */
  score: number;
  headline: string;
  text: string;
  evidence: Record<string, EvidenceValue>;
  objects: string[];
  /** A dropped index's definition (pg_get_indexdef), to recreate it. */
  recreate?: string;
}

/** Welch's verdict on a statement's mean (store/window-statistics.ts judgeRegression returns one). */
export interface RegressionVerdict {
  before: { calls: number; meanMs: number; stddevMs: number };
  after: { calls: number; meanMs: number; stddevMs: number };
  welch: { t: number; degreesOfFreedom: number; p: number };
  ratio: number;
  /** (after mean − before mean) × after calls. */
  addedMs: number;
  regressed: boolean;
  /** Why it is flagged, or the first threshold it missed. */
  reason: string;
}

/** What a statement read and wrote in a window, when the comparison has it (dbopt diff does). */
export interface RegressionWindowCounters {
  calls: number;
  rows: number;
  sharedBlksRead: number;
  tempBytes: number;
}

export interface RegressionFacts {
  query: string;
  verdict: RegressionVerdict;
  causes: RegressionCause[];
  counters?: { before: RegressionWindowCounters; after: RegressionWindowCounters };
  /** How the two sides' entries were paired (dbopt diff). */
  matchedBy?: "queryid" | "fingerprint";
  /** The start of the recent window (dbopt regressions), named in the title. */
  since?: Date;
}

/** Settings that decide how much memory a sort or hash gets before it spills to temporary files. */
const MEMORY_SETTINGS = new Set(["work_mem", "hash_mem_multiplier", "temp_buffers"]);
/** Settings the planner reads to choose a plan. */
const PLANNER_SETTINGS =
  /^(enable_|jit|geqo|random_page_cost$|seq_page_cost$|cpu_|effective_cache_size$|effective_io_concurrency$|default_statistics_target$|plan_cache_mode$|from_collapse_limit$|join_collapse_limit$|parallel_|max_parallel_workers_per_gather$|min_parallel_|constraint_exclusion$|cursor_tuple_fraction$)/;

export function isMemorySetting(name: string): boolean {
  return MEMORY_SETTINGS.has(name);
}

/** What the statement's own figures say, for ranking its causes; false where the comparison cannot tell. */
export interface CauseSigns {
  planChanged: boolean;
  /** The dropped index was in the old plan (not only on a table the statement reads). */
  indexInOldPlan?: boolean;
  /** The changed setting's name. */
  setting?: string;
  /** Temporary bytes per call grew. */
  tempGrew?: boolean;
  /** Shared blocks per call grew. */
  blocksGrew?: boolean;
}

/**
 * How likely a change is the cause: an index its old plan used first, then its plan change, a memory setting its
 * temporary bytes point at, statistics re-analysed or a planner setting when the plan changed, a grown table
 * when its blocks per call grew with it; other settings last.
 */
export function causeScore(kind: RegressionCauseKind, signs: CauseSigns): number {
  switch (kind) {
    case "index-dropped":
      return signs.indexInOldPlan === false ? 95 : 100;
    case "plan-changed":
      return 90;
    case "setting-changed": {
      const name = signs.setting ?? "";
      if (MEMORY_SETTINGS.has(name)) return signs.tempGrew ? 92 : 30;
      if (PLANNER_SETTINGS.test(name)) return signs.planChanged ? 85 : 55;
      return 10;
    }
    case "table-grew":
      return signs.blocksGrew ? 80 : 50;
    case "statistics-analyzed":
      return signs.planChanged ? 88 : 45;
  }
}

/** How many causes the detail spells out. */
const SHOWN_CAUSES = 3;

/**
 * A statement whose mean time per call grew beyond the noise between two windows of pg_stat_statements samples
 * (dbopt regressions) or two snapshots (dbopt diff): the Welch verdict, the figures before and after, and the
 * changes that can explain it, most likely first; a dropped index that explains it comes with its CREATE INDEX.
 */
export const statementRegressed: Rule<RegressionFacts, Options> = {
  id: "history/statement-regressed",
  family: "history",
  title: "Statement got slower",
  description:
    "A statement's mean time per call grew beyond the noise of its baseline (Welch's t-test on the calls, times and sums of squares pg_stat_statements keeps), with the most likely cause: a dropped index, a plan change, a setting, table growth or new statistics.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/pgstatstatements.html",
  options: {
    errorRatio: { default: 10, description: "times slower for an error (with errorAddedMs)" },
    errorAddedMs: {
      default: 1000,
      description: "milliseconds the change added for an error (with errorRatio)",
    },
  },
  check({ query, verdict, causes: found, counters, matchedBy, since }, o) {
    if (!verdict.regressed) return [];
    const causes = [...found].sort((a, b) => b.score - a.score);
    const top = causes[0];
    const severity: Severity =
      verdict.ratio >= o.errorRatio && verdict.addedMs >= o.errorAddedMs ? "error" : "warning";
    const perCall = (n: number, c: RegressionWindowCounters) => round(c.calls ? n / c.calls : 0);
    const evidence: Record<string, EvidenceValue> = {
      callsBefore: verdict.before.calls,
      callsAfter: verdict.after.calls,
      meanBeforeMs: round(verdict.before.meanMs),
      meanAfterMs: round(verdict.after.meanMs),
      stddevBeforeMs: round(verdict.before.stddevMs),
      stddevAfterMs: round(verdict.after.stddevMs),
      ...(counters
        ? {
            rowsPerCallBefore: perCall(counters.before.rows, counters.before),
            rowsPerCallAfter: perCall(counters.after.rows, counters.after),
            sharedBlksReadBefore: counters.before.sharedBlksRead,
            sharedBlksReadAfter: counters.after.sharedBlksRead,
            tempBytesBefore: counters.before.tempBytes,
            tempBytesAfter: counters.after.tempBytes,
          }
        : {}),
      slowerBy: round(verdict.ratio),
      welchT: Number.isFinite(verdict.welch.t) ? round(verdict.welch.t) : "infinite",
      degreesOfFreedom: Math.round(verdict.welch.degreesOfFreedom),
      pValue: Number(verdict.welch.p.toPrecision(2)),
      addedMs: round(verdict.addedMs),
      ...(matchedBy ? { matchedBy } : {}),
      cause: top?.kind ?? "unknown",
      causes: causes.map((c) => c.kind).join(", ") || "none found",
    };
    // The most likely cause's figures win a name two causes use.
    for (const c of [...causes].reverse()) Object.assign(evidence, c.evidence);
    const shown = causes.slice(0, SHOWN_CAUSES);
    const because = shown.length
      ? `${shown.map((c) => c.text).join("; ")}${causes.length > shown.length ? ` (and ${causes.length - shown.length} less likely)` : ""}`
      : "no dropped index, plan change, setting change, table growth or new statistics was found between before and after: look at locks, I/O and concurrent load";
    // A dropped index is why the plan changed: the title says both.
    const headline =
      top?.kind === "index-dropped" && causes.some((c) => c.kind === "plan-changed")
        ? `${top.headline}, plan changed`
        : top?.headline;
    const recreate =
      top?.kind === "index-dropped" || top?.kind === "plan-changed"
        ? causes.find((c) => c.recreate)?.recreate
        : undefined;
    const recreated = recreate ? recreateIndex(recreate) : null;
    const finding: Finding = {
      ruleId: this.id,
      severity,
      title: `${formatFactor(verdict.ratio)} slower${since ? ` since ${shortTime(since)}` : ""}: ${headline ?? "cause not found"}`,
      detail: `${verdict.reason}. Most likely cause: ${because}.`,
      evidence,
      docsUrl: this.docsUrl,
      impact: verdict.addedMs,
      timeMs: verdict.addedMs,
      section: "time",
      query,
      objects: [...new Set(causes.flatMap((c) => c.objects))],
    };
    if (recreated) finding.fix = { sql: sqlFrom("server", `${recreated.sql};`), note: recreated.note };
    return [finding];
  },
};

/**
 * The dropped index recreated from pg_get_indexdef's text; null for any other text. A plain table's gets CONCURRENTLY.
 * A partitioned table's reads "ON ONLY parent", which would build no partition's index, and PostgreSQL refuses
 * CONCURRENTLY on a partitioned table: it is recreated on the whole tree in one statement, with the way round the
 * write lock named.
 */
function recreateIndex(definition: string): { sql: string; note: string } | null {
  const m = /^CREATE (UNIQUE )?INDEX /.exec(definition);
  if (!m) return null;
  const rest = definition.slice(m[0].length);
  const onOnly = /^(\S+|"(?:[^"]|"")+") ON ONLY /.exec(rest);
  if (onOnly)
    return {
      sql: `CREATE ${m[1] ?? ""}INDEX ${onOnly[1]} ON ${rest.slice(onOnly[0].length)}`,
      note: "Recreate the dropped index as it was defined (pg_get_indexdef before it was dropped) on the partitioned table and every partition. A partitioned table takes no CONCURRENTLY: this blocks writes to each partition while its index builds. To avoid that, create it ON ONLY the parent, build each partition's index CONCURRENTLY and ATTACH PARTITION each one (dbopt advise prints that recipe).",
    };
  return {
    sql: `CREATE ${m[1] ?? ""}INDEX CONCURRENTLY ${rest}`,
    note: "Recreate the dropped index as it was defined (pg_get_indexdef before it was dropped); CONCURRENTLY does not block writes and cannot run inside a transaction block.",
  };
}

/** 2026-12-02 10:25Z */
export function shortTime(d: Date): string {
  return d
    .toISOString()
    .replace(/:\d\d\.\d+Z$/, "Z")
    .replace("T", " ");
}

function round(n: number): number {
  return Number.isFinite(n) ? Math.round(n * 1000) / 1000 : n;
}
