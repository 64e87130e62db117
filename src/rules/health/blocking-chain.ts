import type { SessionFacts } from "../../facts/snapshot.js";
import type { Finding } from "../../findings/finding.js";
import { round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = { minWaitSeconds: number };

/**
 * Sessions waiting for locks, as trees from the session at the root (which waits for nobody). One finding per
 * root, with who waits behind whom.
 */
export const blockingChain: Rule<HealthFacts, Options> = {
  id: "health/blocking-chain",
  family: "health",
  group: "activity",
  title: "Sessions blocked by another session",
  description:
    "Lock waits, arranged as trees from the blocking session (from pg_blocking_pids). The root is usually the one to look at: a long transaction, an idle-in-transaction session, or DDL queued behind a long query.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/explicit-locking.html",
  options: { minWaitSeconds: { default: 5, description: "seconds the longest waiter has waited" } },
  check({ snapshot }, o) {
    const sessions = snapshot.activity.sessions;
    const byPid = new Map(sessions.map((s) => [s.pid, s]));
    const waiters = sessions.filter((s) => s.blockedBy.length > 0);
    if (waiters.length === 0) return [];
    // Roots: blockers that wait for nobody (or sessions outside what we can see).
    const roots = new Set<number>();
    for (const w of waiters)
      for (const pid of w.blockedBy) if ((byPid.get(pid)?.blockedBy.length ?? 0) === 0) roots.add(pid);
    const findings: Finding[] = [];
    for (const rootPid of roots) {
      const lines: string[] = [];
      const seen = new Set<number>();
      let count = 0;
      let longest = 0;
      const walk = (pid: number, depth: number) => {
        if (seen.has(pid)) return;
        seen.add(pid);
        const s = byPid.get(pid);
        lines.push(`${"  ".repeat(depth)}${depth ? "└ " : ""}${describe(pid, s)}`);
        for (const child of waiters.filter((w) => w.blockedBy.includes(pid))) {
          count++;
          longest = Math.max(longest, child.stateAgeS ?? 0);
          walk(child.pid, depth + 1);
        }
      };
      walk(rootPid, 0);
      if (longest < o.minWaitSeconds) continue;
      const root = byPid.get(rootPid);
      findings.push({
        ruleId: this.id,
        severity: longest >= 60 || count >= 5 ? "error" : "warning",
        title: `pid ${rootPid} blocks ${count} session${count === 1 ? "" : "s"}; the longest has waited ${Math.round(longest)} s`,
        detail: `Lock waits:\n${lines.join("\n")}`,
        evidence: {
          rootPid,
          rootState: root?.state ?? null,
          blocked: count,
          longestWaitSeconds: round3(longest),
          rootQuery: root?.query.slice(0, 200) ?? null,
        },
        fix: {
          sql: `SELECT pg_terminate_backend(${rootPid});  -- ends the root session and releases its locks`,
          note: "Before terminating, check what the root is doing; for DDL, run it with a lock_timeout so it gives up instead of queueing everyone behind it.",
        },
        docsUrl: this.docsUrl,
        impact: longest * count,
        ...(root ? { query: root.query } : {}),
      });
    }
    return findings;
  },
};

function describe(pid: number, s: SessionFacts | undefined): string {
  if (!s) return `pid ${pid} (not visible to this role)`;
  const what = s.query.replace(/\s+/g, " ").slice(0, 80);
  return `pid ${pid} ${s.user} [${s.state ?? "?"}${s.waitEvent ? `, waits ${s.waitEventType}/${s.waitEvent}` : ""}] ${what}`;
}
