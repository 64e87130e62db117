import { sourceText } from "../../facts/scaling/trace-own-writes.js";
import type { Finding } from "../../findings/finding.js";
import { formatMs, formatPercent, oneLine, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import type { ScalingFacts, ScalingStatement } from "./scaling-facts.js";

type Options = { minReadShare: number; minTraceRuns: number };

/**
 * The share of database time a read replica could take: statements that only read (no row locks, no
 * nextval(), no VOLATILE function of the user's), split into those known to tolerate replica lag (marked by
 * the user, or seen in traces and server logs never to read a table their own trace or session had just
 * written) and those that read their own writes and must stay on the primary.
 */
export const readReplicas: Rule<ScalingFacts, Options> = {
  id: "architecture/read-replicas",
  family: "architecture",
  title: "Reads a replica could serve",
  description:
    "Read-only statements as a share of database time and calls, those known to tolerate replica lag (marked with --lag-tolerant, or never reading their own writes in traces or server logs), and the offload a read replica would give.",
  maxSeverity: "info",
  docsUrl: "https://www.postgresql.org/docs/current/hot-standby.html",
  options: {
    minReadShare: {
      default: 0.3,
      description: "share of database time in reads from which replicas are advised",
    },
    minTraceRuns: {
      default: 20,
      description: "runs a statement needs in traces and logs before it is called lag-tolerant from them",
    },
  },
  check(facts, o) {
    const total = facts.workloadTotalMs;
    if (total <= 0 || facts.statements.length === 0) return [];
    const reads = facts.statements.filter(
      (s) => s.traits.kind === "read" && s.volatileFunction === null && s.traits.primaryOnly === null,
    );
    const ownWrites = reads.filter((s) => (s.ownWrites?.after ?? 0) > 0);
    const tolerant = reads.filter(
      (s) =>
        !ownWrites.includes(s) &&
        (s.lagTolerant || (s.ownWrites !== undefined && s.ownWrites.seen >= o.minTraceRuns)),
    );
    const unknown = reads.filter((s) => !ownWrites.includes(s) && !tolerant.includes(s));
    // Runs of own-write readers that did not follow their own writes: a replica can take them when the
    // application keeps a session on the primary for a while after it writes (read-your-writes stickiness).
    const sticky = ownWrites.filter((s) => (s.ownWrites?.seen ?? 0) >= o.minTraceRuns);
    const stickyMs = sticky.reduce(
      (n, s) => n + s.totalMs * (1 - (s.ownWrites?.after ?? 0) / Math.max(1, s.ownWrites?.seen ?? 1)),
      0,
    );
    const ms = (list: ScalingStatement[]) => list.reduce((n, s) => n + s.totalMs, 0);
    const calls = (list: ScalingStatement[]) => list.reduce((n, s) => n + s.calls, 0);
    const readShare = ms(reads) / total;
    if (readShare < o.minReadShare) return [];
    const tolerantShare = ms(tolerant) / total;
    const unknownShare = ms(unknown) / total;
    const lag = facts.standbys.map((s) => s.replayLagS).filter((l): l is number => l !== null);
    const seenIn = [facts.tracesRead ? "traces" : "", facts.logsRead ? "logs" : ""]
      .filter(Boolean)
      .join(" and ");
    const excludedWrites = facts.statements.filter(
      (s) => s.traits.primaryOnly !== null || (s.traits.kind === "read" && s.volatileFunction !== null),
    );
    const parts = [
      `Reads are ${formatPercent(readShare)} of the database time (${formatMs(ms(reads))} of ${formatMs(total)}) and ${formatPercent(calls(reads) / Math.max(1, facts.workloadTotalCalls))} of the calls.`,
      tolerant.length > 0
        ? `${tolerant.length} of them (${formatPercent(tolerantShare)} of the time) tolerate replica lag (${tolerant.some((s) => s.lagTolerant) ? "marked by you" : ""}${tolerant.some((s) => s.lagTolerant) && tolerant.some((s) => !s.lagTolerant) ? " or " : ""}${tolerant.some((s) => !s.lagTolerant) ? `never reading their own writes in the ${seenIn || "traces"}` : ""}): a replica takes that load off the primary.`
        : "",
      ownWrites.length > 0
        ? `${ownWrites.length} read${ownWrites.length === 1 ? "s" : ""} their own writes in the ${seenIn || "traces"} and must stay on the primary (or read from it within the request): ${ownWrites
            .slice(0, 3)
            .map(
              (s) =>
                `${oneLine(s.query, 60)} (${s.ownWrites?.after} of ${s.ownWrites?.seen} runs${ownWriteHow(s)})`,
            )
            .join("; ")}.`
        : "",
      stickyMs > 0
        ? `Kept on the primary for ${facts.ownWriteWindowMs ? formatMs(facts.ownWriteWindowMs) : "a moment"} after a session writes (a sticky primary flag in the pool or the application, as Rails' database selector does), the runs of ${sticky.length === 1 ? "that statement" : "those statements"} that did not follow their own writes could go to a replica too: another ${formatPercent(stickyMs / total)} of the database time.`
        : "",
      unknown.length > 0
        ? `${unknown.length} (${formatPercent(unknownShare)} of the time) could go to a replica if they tolerate lag: ${seenIn ? `the ${seenIn} did not show them often enough to tell` : "give --traces or --log to see which read their own writes"}, or mark them with --lag-tolerant.`
        : "",
      excludedWrites.length > 0
        ? `${excludedWrites.length} SELECT${excludedWrites.length === 1 ? "" : "s"} stay on the primary: they call nextval() or a VOLATILE function that may write.`
        : "",
      lag.length > 0
        ? `The server has ${facts.standbys.length} standby${facts.standbys.length === 1 ? "" : "s"}, replaying up to ${formatMs(Math.max(...lag) * 1000)} behind.`
        : "",
    ].filter(Boolean);
    const finding: Finding = {
      ruleId: this.id,
      severity: "info",
      title: `a read replica could take ${formatPercent(tolerantShare + unknownShare)} of the database time${tolerant.length > 0 ? ` (${formatPercent(tolerantShare)} known to tolerate lag)` : ""}`,
      detail: parts.join(" "),
      evidence: {
        readShare: round3(readShare),
        readMs: round3(ms(reads)),
        totalMs: round3(total),
        readStatements: reads.length,
        lagTolerantStatements: tolerant.length,
        lagTolerantShare: round3(tolerantShare),
        readsOwnWritesStatements: ownWrites.length,
        undecidedStatements: unknown.length,
        undecidedShare: round3(unknownShare),
        stickyPrimaryShare: round3(stickyMs / total),
        standbys: facts.standbys.length,
        maxReplayLagS: lag.length > 0 ? round3(Math.max(...lag)) : null,
      },
      fix: {
        note: `Send the lag-tolerant reads to a replica: a second connection pool on a streaming standby (hot_standby = on), or libpq's target_session_attrs=prefer-standby (PostgreSQL 14+ clients) for a read-only data source; keep reads inside a transaction that wrote on the primary. Heaviest candidates: ${[
          ...tolerant,
          ...unknown,
        ]
          .sort((a, b) => b.totalMs - a.totalMs)
          .slice(0, 5)
          .map((s) => `${oneLine(s.query, 60)} (${formatMs(s.totalMs)})`)
          .join("; ")}.`,
      },
      docsUrl: this.docsUrl,
      impact: ms(tolerant) + ms(unknown),
      timeMs: ms(tolerant) + ms(unknown),
      timeShare: round3(tolerantShare + unknownShare),
    };
    return [finding];
  },
};

/**
 * How the logs saw a statement read its own writes (in the writing transaction, or soon after the commit), and
 * where: the first such run and the write it followed, as file:line or trace span.
 */
function ownWriteHow(s: ScalingStatement): string {
  const inTx = s.ownWrites?.inTransaction ?? 0;
  const soon = s.ownWrites?.withinWindow ?? 0;
  const how = [inTx ? `${inTx} in the writing transaction` : "", soon ? `${soon} soon after its commit` : ""]
    .filter(Boolean)
    .join(", ");
  const first = s.ownWrites?.examples?.[0];
  const where = first
    ? `first at ${sourceText(first.read)}${first.write ? ` after the write at ${sourceText(first.write)}` : ""}`
    : "";
  const parts = [how, where].filter(Boolean);
  return parts.length ? `: ${parts.join("; ")}` : "";
}
