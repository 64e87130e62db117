import { isTransactionControl } from "../../facts/logs/n-plus-one.js";
import type { Finding, Severity } from "../../findings/finding.js";
import { formatCount, formatMs, formatPercent, oneLine, round3 } from "../../util/format.js";
import { tryParseSql } from "../../util/sql-parser.js";
import { sqlFrom } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { batchedStatement } from "./batched-statement-shape.js";
import type { NPlusOneFacts, RepeatedRun } from "./n-plus-one-facts.js";

type Options = { errorMs: number; errorShare: number; warningMs: number; warningShare: number };

/**
 * One statement shape run again and again with different values right after another statement, in a log's
 * session or under one parent span: an N+1 loop over the rows of that statement. Runs that follow a BEGIN or
 * COMMIT rather than a query are judged apart: consecutive statements each in its own transaction (a batch job,
 * a load generator) or a batch inside one transaction iterate over no query's rows; they are reported as batches
 * (info), with why. Every finding carries the pattern's index in the report's list as evidence (`pattern`).
 */
export const nPlusOne: Rule<NPlusOneFacts, Options> = {
  id: "workload/n-plus-one",
  family: "workload",
  title: "N+1: one statement run once per row of another",
  description:
    "A statement run again and again with different values right after another statement, one round trip per row of that statement (seen in logs and traces). One statement with = ANY($1) (MySQL: IN) fetches the whole batch.",
  maxSeverity: "error",
  docsUrl:
    "https://www.postgresql.org/docs/current/functions-comparisons.html#FUNCTIONS-COMPARISONS-ANY-SOME",
  options: {
    errorMs: { default: 1000, description: "time a batched statement would save (ms) that makes an error" },
    errorShare: { default: 0.05, description: "share of all statement time saved that makes an error" },
    // Sentry's bar for an N+1.
    warningMs: { default: 50, description: "time a batched statement would save (ms) that makes a warning" },
    warningShare: { default: 0.01, description: "share of all statement time saved that makes a warning" },
  },
  check(facts, o) {
    return facts.runs.map((run, pattern) => judge(run, pattern, facts, o, this.id, this.docsUrl));
  },
};

/**
 * What (1 - 1/n) of a loop's time assumes, said with the figure: the batched statement costs no more than one call.
 * It saves each call's own overhead, but still does every row's work, which the timed calls cannot tell apart.
 */
const UPPER_BOUND =
  "That is all but one call's time: the per-call overhead (round trip, parse, plan, executor start, and in autocommit each commit) goes, but the batched statement still does every row's work, so it saves less where a call's time is mostly its rows' work; time the batched statement to know.";

/** The fix of a loop or a batch of writes: one statement for all the rows, in one transaction. */
function writeNote(
  writes: "insert" | "update" | "delete" | "merge",
  batch: boolean,
  dialect: NPlusOneFacts["dialect"],
  autocommit: boolean,
): string {
  const oneCommit = autocommit
    ? " inside one transaction: each autocommit statement waits for its own commit to reach the WAL"
    : "";
  const keys = `WHERE key ${dialect === "mysql" ? "IN (...)" : "= ANY($1)"}, the keys as one ${dialect === "mysql" ? "list" : "array"}`;
  const verb = writes.toUpperCase();
  if (writes === "insert")
    return batch
      ? `Send the rows in one statement (a multi-row INSERT ... VALUES (...), (...), or COPY)${oneCommit}.`
      : `Insert the rows for all the source rows in one statement: INSERT ... SELECT over the source query, or one multi-row INSERT or COPY${oneCommit}.`;
  if (writes === "merge")
    return `Merge all the rows in one statement: MERGE ... USING (${batch ? "a VALUES list or unnest($1)" : "the source query"})${oneCommit}.`;
  if (batch) return `Send the keys in one statement (${verb} ... ${keys})${oneCommit}.`;
  const joined =
    dialect === "mysql"
      ? `a multi-table ${verb} joined to the source query`
      : `${verb} ... ${writes === "delete" ? "USING" : "FROM"} (the source query)`;
  return `Change the rows for all the source rows in one statement: ${verb} ... ${keys}, or ${joined}${oneCommit}.`;
}

/** The kind of write a statement is (lower case), or null for a read. */
function writeKind(query: string): "insert" | "update" | "delete" | "merge" | null {
  const tree = tryParseSql(query);
  const stmt =
    tree?.stmts?.length === 1 ? (tree.stmts[0]?.stmt as Record<string, unknown> | undefined) : undefined;
  const type = stmt ? Object.keys(stmt)[0] : undefined;
  if (type !== undefined) return WRITES[type] ?? null;
  // MySQL text the PostgreSQL parser refuses (REPLACE, backquotes): its first keyword.
  const word = /^\s*(insert|replace|update|delete)\b/i.exec(query)?.[1]?.toLowerCase();
  return word === "replace" ? "insert" : ((word as "insert" | "update" | "delete" | undefined) ?? null);
}

const WRITES: Record<string, "insert" | "update" | "delete" | "merge"> = {
  InsertStmt: "insert",
  UpdateStmt: "update",
  DeleteStmt: "delete",
  MergeStmt: "merge",
};

function judge(
  run: RepeatedRun,
  pattern: number,
  facts: NPlusOneFacts,
  o: Options,
  ruleId: string,
  docsUrl: string,
): Finding {
  const share = facts.totalMs > 0 ? run.wastedMs / facts.totalMs : 0;
  // A BEGIN or a COMMIT returns no rows to loop over: what follows it is a batch, whatever it costs.
  const batch = run.source !== null && isTransactionControl(run.source);
  const severity: Severity = batch
    ? "info"
    : run.wastedMs >= o.errorMs || share >= o.errorShare
      ? "error"
      : run.wastedMs >= o.warningMs || share >= o.warningShare
        ? "warning"
        : "info";
  const each =
    run.repeats.min === run.repeats.max
      ? `${formatCount(run.repeats.min)}`
      : `${formatCount(run.repeats.min)}–${formatCount(run.repeats.max)} (median ${formatCount(run.repeats.median)})`;
  const inTransaction = run.inTransaction;
  const autocommit = inTransaction === null ? null : run.occurrences - inTransaction;
  const transactions =
    inTransaction === null
      ? ""
      : autocommit === run.occurrences
        ? " Each call ran in autocommit, its own transaction."
        : inTransaction === run.occurrences
          ? " Each run was inside one transaction."
          : ` ${formatCount(inTransaction)} of the runs were inside one transaction, the others in autocommit.`;
  const why = batch
    ? `It follows ${oneLine(run.source ?? "", 40, "...")}, which returns no rows: the calls iterate over no query's results, so this is not an N+1 loop but a batch (a batch job or a load generator)${autocommit === run.occurrences ? " of consecutive statements, each committed on its own" : ""}.`
    : run.source === null
      ? "Nothing logged before each run: its source is unknown."
      : `Each run follows ${oneLine(run.source, 120, "...")}: a loop over that statement's rows, one round trip per row.`;
  const rewrite = batchedStatement(run.repeated, facts.dialect);
  const written =
    rewrite === null ? null : facts.dialect === "mysql" ? rewrite.text.replace(/\$\d+/g, "?") : rewrite.text;
  const writes = writeKind(run.repeated);
  const note =
    writes !== null
      ? writeNote(writes, batch, facts.dialect, Boolean(autocommit))
      : batch
        ? `Fetch the values' rows in one statement (WHERE key ${facts.dialect === "mysql" ? "IN (...)" : "= ANY($1)"}).`
        : rewrite === null
          ? "Fetch the rows for all the source rows at once (IN / ANY, or a JOIN with the source query); ORMs call this eager loading."
          : rewrite.lateral
            ? `Pass every value as one array for ${rewrite.param}: the LATERAL join runs the statement once per value in one round trip, keeping its LIMIT, grouping or aggregate per value.`
            : facts.dialect === "mysql"
              ? `One ? per value in IN (...); ${rewrite.column} is selected so each row can be matched to its item.`
              : `Pass the values as one array for ${rewrite.param} (node-postgres: [ids]); ${rewrite.column} is selected so each row can be matched to its item. ORMs call this eager loading.`;
  return {
    ruleId,
    severity,
    title: batch
      ? `Batch, not N+1: ${formatCount(run.occurrences)} run${run.occurrences === 1 ? "" : "s"} of ${each} calls after ${oneLine(run.source ?? "", 20, "...")}`
      : `N+1: ${formatCount(run.occurrences)} run${run.occurrences === 1 ? "" : "s"} of ${each} calls of one statement, up to ${formatMs(run.wastedMs)} to save`,
    detail: `${oneLine(run.repeated, 160, "...")} ran ${each} times in a row with different values, ${formatCount(run.occurrences)} time${run.occurrences === 1 ? "" : "s"}${run.where ? ` under ${run.where}` : ""}, ${formatMs(run.totalMs)} in all; one batched statement would save up to ${formatMs(run.wastedMs)} (${formatPercent(share)} of statement time). ${UPPER_BOUND} ${why}${transactions}${run.concurrent ? ` ${formatCount(run.concurrent)} of the runs overlapped in time (concurrent calls).` : ""}`,
    evidence: {
      pattern,
      kind: batch ? "batch" : "loop",
      occurrences: run.occurrences,
      repeatsMin: run.repeats.min,
      repeatsMedian: run.repeats.median,
      repeatsMax: run.repeats.max,
      totalMs: round3(run.totalMs),
      wastedMs: round3(run.wastedMs),
      share: round3(share),
      inTransaction,
      autocommit,
      concurrent: run.concurrent,
    },
    ...(written === null
      ? { fix: { note } }
      : {
          fix: {
            sql: sqlFrom("statement", written),
            note,
            ...(facts.dialect === "mysql" ? { dialect: "mysql" as const } : {}),
          },
        }),
    docsUrl,
    impact: run.wastedMs,
    timeMs: run.totalMs,
    query: run.repeated,
  };
}
