/**
 * Statements and their logged time per minute of the log, for the report's chart over time. Consecutive
 * statements mostly fall in one minute, so the last minute's counter is kept at hand and the map is touched once
 * a minute. Times are whole microseconds, so parts read by worker threads add up exactly when merged.
 */

const MINUTE_MS = 60_000;

export interface MinuteCount {
  /** The minute's start, epoch milliseconds (UTC). */
  minute: number;
  statements: number;
  totalMs: number;
}

/** [minute number since the epoch, statements, microseconds] per minute, for merging what threads read. */
export type MinuteCountsState = Array<[number, number, number]>;

interface Counter {
  statements: number;
  us: number;
}

export class MinuteCounts {
  private readonly byMinute = new Map<number, Counter>();
  private lastMinute = Number.NaN;
  private last: Counter | null = null;

  /** One statement logged at `time` (null: the line had no time, and is not counted). */
  add(time: number | null, durationMs: number | null): void {
    if (time === null) return;
    const minute = Math.floor(time / MINUTE_MS);
    let counter = this.last;
    if (minute !== this.lastMinute || counter === null) {
      counter = this.byMinute.get(minute) ?? null;
      if (counter === null) {
        counter = { statements: 0, us: 0 };
        this.byMinute.set(minute, counter);
      }
      this.lastMinute = minute;
      this.last = counter;
    }
    counter.statements++;
    if (durationMs !== null) counter.us += Math.round(durationMs * 1000);
  }

  state(): MinuteCountsState {
    return [...this.byMinute].map(([minute, c]) => [minute, c.statements, c.us]);
  }

  merge(state: MinuteCountsState): void {
    for (const [minute, statements, us] of state) {
      const counter = this.byMinute.get(minute);
      if (counter) {
        counter.statements += statements;
        counter.us += us;
      } else this.byMinute.set(minute, { statements, us });
    }
  }

  /** Every minute that logged a statement, oldest first. */
  result(): MinuteCount[] {
    return [...this.byMinute]
      .sort((a, b) => a[0] - b[0])
      .map(([minute, c]) => ({ minute: minute * MINUTE_MS, statements: c.statements, totalMs: c.us / 1000 }));
  }
}
