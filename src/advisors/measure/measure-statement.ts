/**
 * The one way dbopt times a statement on a live database (`dbopt rewrite`'s proof and `dbopt advise --verify`):
 * EXPLAIN (ANALYZE, TIMING OFF) — the server's own execution time, without the client, the network or per-node
 * clock reads — warm (one run each first, not counted), then N runs; with several statements the runs alternate
 * (A B A B …) so a change in the machine's load falls on both alike.
 */
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { planOf } from "../../facts/plan/explain-runner.js";

export interface TimingSummary {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
}

export interface MeasureOptions {
  /** Timed runs of each statement (after the warm-up). */
  runs?: number;
  /** Untimed runs of each statement first (caches, the plan's first execution). */
  warmUp?: number;
  /** Run each in a transaction that is rolled back (a statement that writes, or on a sandbox). */
  rolledBack?: boolean;
  onRun?: (statement: number, run: number) => void;
  /**
   * Wall time the timed runs may take: once spent (and at least three rounds done) no more rounds start, so a
   * statement of many seconds is timed fewer times rather than for minutes. `runs` in the summary says how many.
   */
  budgetMs?: number;
}

const DEFAULT_RUNS = 7;

/** Each statement's timings, in the order given. A statement that fails stops the measuring with its error. */
export async function measureStatements(
  db: PostgresConnector,
  statements: string[],
  options: MeasureOptions = {},
): Promise<TimingSummary[]> {
  const runs = Math.max(1, options.runs ?? DEFAULT_RUNS);
  const warmUp = Math.max(0, options.warmUp ?? 1);
  const times = statements.map(() => [] as number[]);
  let started = 0;
  for (let run = 0; run < warmUp + runs; run++) {
    if (run === warmUp) started = Date.now();
    const rounds = run - warmUp;
    if (options.budgetMs !== undefined && rounds >= 3 && Date.now() - started > options.budgetMs) break;
    for (const [i, statement] of statements.entries()) {
      options.onRun?.(i, run);
      const ms = await executionMs(db, statement, options.rolledBack === true);
      if (run >= warmUp) times[i]?.push(ms);
    }
  }
  return times.map(summarise);
}

/** Median, min and max of some timings (ms, rounded to the microsecond). */
export function summarise(times: number[]): TimingSummary {
  const sorted = [...times].sort((a, b) => a - b);
  const n = sorted.length;
  const mid =
    n === 0
      ? 0
      : n % 2 === 1
        ? (sorted[(n - 1) / 2] ?? 0)
        : ((sorted[n / 2 - 1] ?? 0) + (sorted[n / 2] ?? 0)) / 2;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return { medianMs: round(mid), minMs: round(sorted[0] ?? 0), maxMs: round(sorted[n - 1] ?? 0), runs: n };
}

/**
 * Whether `after` is faster than `before` beyond the spread of the runs: its slowest run is quicker than the
 * other's median. A one-off stall in `after`'s runs makes this say no, never yes; equal medians never say yes.
 */
export function fasterBeyondSpread(before: TimingSummary, after: TimingSummary): boolean {
  return after.runs > 0 && before.runs > 0 && after.maxMs < before.medianMs;
}

async function executionMs(db: PostgresConnector, statement: string, rolledBack: boolean): Promise<number> {
  const explain = async () => {
    const [row] = await db.query<{ "QUERY PLAN": unknown }>(
      `EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${statement}`,
    );
    return planOf(row).executionMs ?? 0;
  };
  return rolledBack ? db.inRolledBackTransaction(explain) : explain();
}
