import type { SessionFacts } from "../../facts/snapshot.js";
import type { Finding } from "../../findings/finding.js";
import { round3 } from "../../util/format.js";
import { sql } from "../../util/sql-text.js";
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
    const lockedBy = lockedObjectsByPid(snapshot.skipped ?? []);
    if (waiters.length === 0) return lockHolderFindings(this, lockedBy, byPid, new Set());
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
      const locked = lockedBy.get(rootPid) ?? [];
      if (longest < o.minWaitSeconds && locked.length === 0) continue;
      const root = byPid.get(rootPid);
      findings.push({
        ruleId: this.id,
        severity: longest >= 60 || count >= 5 ? "error" : "warning",
        title: `pid ${rootPid} blocks ${count} session${count === 1 ? "" : "s"}; the longest has waited ${Math.round(longest)} s`,
        detail: `Lock waits:\n${lines.join("\n")}${lockedLines(locked)}`,
        evidence: {
          rootPid,
          rootState: root?.state ?? null,
          blocked: count,
          longestWaitSeconds: round3(longest),
          rootQuery: root?.query.slice(0, 200) ?? null,
          ...(locked.length ? { lockedObjects: locked.map((l) => `${l.schema}.${l.name}`).join(", ") } : {}),
        },
        fix: {
          sql: sql`SELECT pg_terminate_backend(${rootPid});  -- ends the root session and releases its locks`,
          note: "Before terminating, check what the root is doing; for DDL, run it with a lock_timeout so it gives up instead of queueing everyone behind it.",
        },
        docsUrl: this.docsUrl,
        impact: longest * count,
        ...(root ? { query: root.query } : {}),
      });
    }
    const reported = new Set(findings.map((f) => Number(f.evidence.rootPid)));
    return [...findings, ...lockHolderFindings(this, lockedBy, byPid, reported)];
  },
};

type Locked = NonNullable<HealthFacts["snapshot"]["skipped"]>[number];

/** Objects dbopt had to skip, by the pid at the root of what locks them (the holder, or whom a waiting locker waits for). */
function lockedObjectsByPid(skipped: Locked[]): Map<number, Locked[]> {
  const out = new Map<number, Locked[]>();
  for (const s of skipped) {
    if (!s.lock || s.lock.pid === null) continue;
    // A waiting request: the sessions it waits behind are the ones to look at.
    const roots = s.lock.granted || s.lock.blockedBy.length === 0 ? [s.lock.pid] : s.lock.blockedBy;
    for (const pid of roots) {
      out.set(pid, [...(out.get(pid) ?? []), s]);
    }
  }
  return out;
}

function lockedLines(locked: Locked[]): string {
  if (locked.length === 0) return "";
  return `\nObjects every reader waits for (dbopt skipped them):\n${locked.map((l) => `  ${l.schema}.${l.name}: ${l.reason}`).join("\n")}`;
}

/**
 * A session holding an ACCESS EXCLUSIVE lock stops every reader of the object, dbopt included, even before anyone
 * has waited long: one finding per holder no blocking tree already reported.
 */
function lockHolderFindings(
  rule: Rule<HealthFacts, Options>,
  lockedBy: Map<number, Locked[]>,
  byPid: Map<number, SessionFacts>,
  reported: Set<number>,
): Finding[] {
  const findings: Finding[] = [];
  for (const [pid, locked] of lockedBy) {
    if (reported.has(pid)) continue;
    const holder = locked.find((l) => l.lock?.pid === pid && l.lock.granted)?.lock;
    const session = byPid.get(pid);
    const heldSeconds = holder?.heldSeconds ?? session?.xactAgeS ?? 0;
    const names = locked.map((l) => `${l.schema}.${l.name}`);
    findings.push({
      ruleId: rule.id,
      severity: session?.state?.startsWith("idle in transaction") || heldSeconds >= 60 ? "error" : "warning",
      title: `pid ${pid} ${holder ? `holds ${holder.mode} on` : "is ahead of an exclusive lock request on"} ${names.join(", ")}: every query on ${names.length === 1 ? "it" : "them"} waits`,
      detail: `${describe(pid, session)}${lockedLines(locked)}`,
      evidence: {
        rootPid: pid,
        rootState: session?.state ?? holder?.state ?? null,
        lockedObjects: names.join(", "),
        heldSeconds: round3(heldSeconds),
        rootQuery: (session?.query ?? holder?.query ?? "").slice(0, 200) || null,
      },
      fix: {
        sql: sql`SELECT pg_terminate_backend(${pid});  -- ends the session and releases its locks`,
        note: "Before terminating, check what the session is doing; DDL should run with a lock_timeout and in a short transaction.",
      },
      docsUrl: rule.docsUrl,
      impact: heldSeconds,
      ...(session ? { query: session.query } : {}),
    });
  }
  return findings;
}

function describe(pid: number, s: SessionFacts | undefined): string {
  if (!s) return `pid ${pid} (not visible to this role)`;
  const what = s.query.replace(/\s+/g, " ").slice(0, 80);
  return `pid ${pid} ${s.user} [${s.state ?? "?"}${s.waitEvent ? `, waits ${s.waitEventType}/${s.waitEvent}` : ""}] ${what}`;
}
