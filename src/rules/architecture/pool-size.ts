import type { Finding } from "../../findings/finding.js";
import { formatMs, formatPercent, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import { connectionsIn, percentileOf, type ScalingFacts, totalConnections } from "./scaling-facts.js";

type Options = {
  minIdleShare: number;
  minOverPool: number;
  warnHeadroomShare: number;
  errorHeadroomShare: number;
};

/**
 * How many server connections the workload needs, against how many it holds. The pool size is the usual formula
 * (cores × 2 + effective spindles: beyond it, more connections only queue for CPU and disk inside the server),
 * checked against the concurrency sampled from pg_stat_activity; transaction lengths say how many transactions
 * a second such a pool serves in transaction mode.
 */
export const poolSize: Rule<ScalingFacts, Options> = {
  id: "architecture/pool-size",
  family: "architecture",
  title: "Connection pool size",
  description:
    "Connections held against connections busy, sampled from pg_stat_activity, and the pool size the machine supports (cores × 2 + effective spindles) checked against the concurrency measured: many idle connections, or little headroom under max_connections, call for a pooler.",
  maxSeverity: "error",
  docsUrl: "https://wiki.postgresql.org/wiki/Number_Of_Database_Connections",
  options: {
    minIdleShare: { default: 0.5, description: "share of connections idle from which a pooler is advised" },
    minOverPool: { default: 2, description: "connections held at least this many times the pool size" },
    warnHeadroomShare: {
      default: 0.2,
      description: "free share of the available connections that is a warning",
    },
    errorHeadroomShare: { default: 0.1, description: "free share that is an error" },
  },
  check(facts, o) {
    const { activity, machine } = facts;
    const samples = activity.samples;
    if (samples.length === 0) return [];
    const totals = samples.map(totalConnections);
    const actives = samples.map((s) => connectionsIn(s, "active"));
    const idles = samples.map((s) => connectionsIn(s, "idle"));
    const inXact = samples.map((s) => connectionsIn(s, "idle in transaction"));
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const maxTotal = Math.max(...totals);
    const meanTotal = mean(totals);
    const maxActive = Math.max(...actives);
    const p95Active = percentileOf(actives, 0.95);
    const idleShare = meanTotal > 0 ? mean(idles) / meanTotal : 0;
    const available = Math.max(1, activity.maxConnections - activity.reservedConnections);
    const headroomShare = Math.max(0, available - maxTotal) / available;
    const cores = machine.cpus ?? null;
    const formula = cores !== null ? cores * 2 + facts.spindles : null;
    // Without the core count the measured peak is the only floor; a pool below it would queue at busy moments.
    const pool = Math.max(formula ?? 0, cores === null ? Math.max(2, maxActive) : 0);
    const ages = samples.flatMap((s) => s.openXactAgesS);
    const totalsSince = activity.sessionTotals;
    const meanXactMs =
      totalsSince && totalsSince.transactions > 0
        ? (totalsSince.activeTimeMs + totalsSince.idleInTransactionTimeMs) / totalsSince.transactions
        : null;
    const busyShare =
      totalsSince && totalsSince.sessionTimeMs > 0
        ? totalsSince.activeTimeMs / totalsSince.sessionTimeMs
        : null;
    const perSecond = meanXactMs && meanXactMs > 0 ? (pool * 1000) / meanXactMs : null;

    const tooMany = maxTotal >= o.minOverPool * pool && idleShare >= o.minIdleShare;
    const severity: Finding["severity"] =
      headroomShare < o.errorHeadroomShare
        ? "error"
        : headroomShare < o.warnHeadroomShare || tooMany
          ? "warning"
          : "info";
    const stored = activity.stored;
    const over = stored
      ? `${samples.length} samples dbopt collect stored over ${stored.days} day${stored.days === 1 ? "" : "s"} (${stored.firstAt.slice(0, 16).replace("T", " ")} to ${stored.lastAt.slice(0, 16).replace("T", " ")} UTC, about ${formatMs(activity.intervalMs)} apart)`
      : `${samples.length} samples ${formatMs(activity.intervalMs)} apart`;
    const reasons: string[] = [
      `${over}: ${maxTotal} connections at most (${Math.round(meanTotal)} on average), ${formatPercent(idleShare)} of them idle, at most ${maxActive} running a statement at once (95th percentile ${p95Active}).`,
    ];
    const holders = busiestHolders(facts);
    if (holders.length > 0)
      reasons.push(
        `At the busiest sample: ${holders.map((h) => `${h.connections} ${h.state} from ${h.who}`).join(", ")}.`,
      );
    if (stored && stored.maxConnectionsSeen.length > 1)
      reasons.push(
        `max_connections changed within the window (${stored.maxConnectionsSeen.join(", ")}); the headroom is against the latest, ${activity.maxConnections}.`,
      );
    if (formula !== null)
      reasons.push(
        `The machine supports about ${formula} connections working at once (${cores} cores × 2 + ${facts.spindles} effective spindle${facts.spindles === 1 ? "" : "s"}); more only queue for CPU and disk inside the server.`,
      );
    else
      reasons.push(
        `The core count is unknown (give --cpus): the pool is sized from the measured peak of ${maxActive} statements at once.`,
      );
    if (p95Active > pool)
      reasons.push(
        `At busy moments ${p95Active} statements ran at once, more than the pool of ${pool}: with the pool they would wait in its queue instead of contending inside the server.`,
      );
    if (meanXactMs !== null)
      reasons.push(
        `A transaction holds its connection ${formatMs(meanXactMs)} on average (active plus idle in transaction, pg_stat_database), so a pool of ${pool} in transaction mode serves about ${Math.round(perSecond ?? 0)} transactions a second.`,
      );
    if (busyShare !== null)
      reasons.push(`Sessions ran statements ${formatPercent(busyShare, 1)} of the time they were connected.`);
    if (ages.length > 0 && percentileOf(ages, 0.95) > 1)
      reasons.push(
        `Open transactions were up to ${formatMs(Math.max(...ages) * 1000)} old (95th percentile ${formatMs(percentileOf(ages, 0.95) * 1000)}): each holds a pool connection that long.`,
      );
    reasons.push(
      `${available - maxTotal} of ${available} available connections (max_connections ${activity.maxConnections} minus ${activity.reservedConnections} reserved) were free at the peak.`,
    );
    const maxClients = Math.max(100, maxTotal * 2);
    return [
      {
        ruleId: this.id,
        severity,
        title: tooMany
          ? `${maxTotal} connections held, ${formatPercent(idleShare)} idle: a pool of ${pool} would serve them`
          : `a pool of ${pool} server connections fits this workload (${maxTotal} held, ${maxActive} busy at most)`,
        detail: reasons.join(" "),
        evidence: {
          samples: samples.length,
          intervalMs: activity.intervalMs,
          samplesFrom: stored ? "store" : "live",
          storedDays: stored ? stored.days : null,
          maxConnections: maxTotal,
          meanConnections: round3(meanTotal),
          maxActive,
          p95Active,
          meanIdle: round3(mean(idles)),
          meanIdleInTransaction: round3(mean(inXact)),
          idleShare: round3(idleShare),
          available,
          headroomShare: round3(headroomShare),
          cores,
          spindles: facts.spindles,
          poolSize: pool,
          meanTransactionMs: meanXactMs === null ? null : round3(meanXactMs),
          sessionBusyShare: busyShare === null ? null : round3(busyShare),
          poolTransactionsPerSecond: perSecond === null ? null : Math.round(perSecond),
        },
        fix: {
          note: `Put PgBouncer (or the application's pool) in front of the server with ${pool} server connections: pool_mode = transaction (see architecture/pooler-mode), default_pool_size = ${pool}, reserve_pool_size = ${Math.max(1, Math.ceil(pool / 4))}, max_client_conn = ${maxClients}. Application pools then stay small per process; the server keeps ${available - pool} connections free for administration and bursts.`,
        },
        docsUrl: this.docsUrl,
        impact: maxTotal / Math.max(1, pool),
      },
    ];
  },
};

/** The largest groups of connections at the sample holding the most: who a pooler would serve. */
function busiestHolders(facts: ScalingFacts): Array<{ connections: number; state: string; who: string }> {
  const { activity } = facts;
  const list = activity.stored
    ? activity.stored.busiestClients
    : ([...activity.samples].sort((a, b) => totalConnections(b) - totalConnections(a))[0]?.groups ?? [])
        .map((g) => ({ ...g }))
        .sort((a, b) => b.connections - a.connections)
        .slice(0, 3);
  return list
    .filter((g) => g.connections > 1)
    .slice(0, 3)
    .map((g) => ({
      connections: g.connections,
      state: g.state,
      who: [
        g.application ? `application ${JSON.stringify(g.application)}` : "",
        g.user ? `user ${g.user}` : "",
        g.clientAddr ?? "a local socket",
      ]
        .filter(Boolean)
        .join(", "),
    }));
}
