/**
 * How the OLTP bench times a statement under one index set, so that the figure belongs to the index set and not
 * to the parameter draw or the machine's load of the moment:
 * - parameters drawn from a generator seeded by the statement's id: every set, and every run of the bench, times
 *   the same draws;
 * - every set timed at once, draw by draw (timeUnderEachSet), so the machine's load of the moment is shared;
 * - each draw run once untimed (its index and heap pages come into the cache; the figure is warm), then `repeats`
 *   times, keeping the median: a run slowed by another process on the shared machine does not count;
 * - the statement's figure is the median over its draws: one tenant with ten times the rows does not decide it;
 * - EXPLAIN (ANALYZE, TIMING OFF): the executor's total without a clock read around every row, which on
 *   statements of 0.05 ms costs more than the work and grows with the rows a plan touches.
 * A draw whose warm-up took over SLOW_MS is timed once: it is far from the figures being compared, and a scan of
 * the whole table repeated adds minutes.
 */
import type pg from "pg";
import { seededRandom } from "../support/seeded-random.js";
import { type OltpStatement, substitute } from "./workloads.js";

const SLOW_MS = 20;

export interface StatementTiming {
  /** Median over the draws of each draw's median, ms. */
  ms: number;
  /** The draws' lowest and highest medians, ms. */
  low: number;
  high: number;
}

/**
 * A statement's figure under each index set, one database (a copy with that set built) per set: each draw is run
 * under every set in turn, starting with a different set each draw, so load that comes and goes on the shared
 * machine falls on all sets alike.
 */
export async function timeUnderEachSet(
  sets: pg.Client[],
  statement: OltpStatement,
  options: { runs: number; repeats: number; scale: number },
): Promise<StatementTiming[]> {
  const random = seededRandom(seedOf(statement.id));
  const draws: number[][] = sets.map(() => []);
  for (let d = 0; d < options.runs; d++) {
    const text = substitute(statement.sql, statement.draw(random, options.scale));
    for (let j = 0; j < sets.length; j++) {
      const k = (d + j) % sets.length;
      const db = sets[k] as pg.Client;
      const warm = await executionMs(db, text);
      const times: number[] = [];
      for (let r = 0; r < (warm > SLOW_MS ? 1 : options.repeats); r++)
        times.push(await executionMs(db, text));
      draws[k]?.push(median(times));
    }
  }
  return draws.map((ms) => ({ ms: median(ms), low: Math.min(...ms), high: Math.max(...ms) }));
}

async function executionMs(db: pg.Client, text: string): Promise<number> {
  const { rows } = await db.query(`explain (analyze, timing off, format json) ${text}`);
  return Number(rows[0]["QUERY PLAN"][0]["Execution Time"]);
}

/** A statement's seed: its id's characters hashed (FNV-1a), so a statement keeps its draws when others are added. */
function seedOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (!sorted.length) return 0;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
