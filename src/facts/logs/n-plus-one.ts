/**
 * N+1 candidates in a log: within one session, a run of the same statement shape with different values, right
 * after a different statement (the "source" whose rows drive the loop). Runs end at a different statement or a
 * pause longer than maxGapMs. Each run also records whether it ran inside one explicit transaction or as
 * autocommit statements, each its own transaction; the rule workload/n-plus-one judges them and writes the fix.
 */
import { detach } from "../../util/detach-string.js";
import type { StatementEvent } from "./statement-events.js";

export interface NPlusOneOptions {
  minRepeats: number;
  maxGapMs: number;
}

export interface NPlusOnePattern {
  source: { fingerprint: string; query: string };
  repeated: { fingerprint: string; query: string };
  occurrences: number;
  repeats: { min: number; median: number; max: number };
  totalMs: number;
  /** At most what a batched statement saves: all but one call's share of each run (the batched statement still
   * does each row's work, which the logged durations cannot tell apart from each call's overhead). */
  wastedMs: number;
  exampleParameters: string[];
  /** Occurrences that ran inside one explicit transaction (BEGIN ... COMMIT, or one virtual transaction id when
   * the prefix logs %v); the others ran in autocommit, each statement its own transaction. */
  inTransaction: number;
}

/** A run of one statement shape in one session. */
interface Run {
  run: string;
  count: number;
  /** Integer microseconds, so that merged parts add up exactly. */
  us: number;
  /** Up to 5 parameter lists, for the report. */
  values: string[];
  /** Whether the run's values differ (a loop over rows, not a retry or a poll). */
  distinct: boolean;
  first: string | null;
  firstTime: number | null;
  lastTime: number | null;
  /** Inside one explicit transaction so far (see NPlusOnePattern.inTransaction). */
  inTransaction: boolean;
  /** The virtual transaction id of its first statement, when the prefix logs it. */
  vxid: string | null;
}

interface Session {
  /** The statement before the run; null at the start or after a pause. */
  source: string | null;
  current: Run | null;
  /** Reading a later part of an input: the first run's source is in the part before (see merge). */
  sourceUnknown: boolean;
  /** That first run, once it ended, waiting for merge to learn its source. */
  head: Run | null;
  /** An explicit transaction is open (BEGIN seen, no COMMIT or ROLLBACK since). */
  open: boolean;
}

interface Pattern {
  source: string;
  repeated: string;
  occurrences: number;
  repeats: Map<number, number>;
  totalUs: number;
  values: string[];
  inTransaction: number;
}

/** What one reader of a part of the input found, and the runs at its edges, for merge. */
export interface NPlusOneState {
  found: Pattern[];
  sessions: Array<[string, Session]>;
}

const SWEEP_EVERY = 1 << 16;

export class NPlusOneDetector {
  private seen = 0;
  private readonly sessions = new Map<string, Session>();
  /** Sessions found quiet at the last sweep, closed at the next one (see sweep). */
  private parked = new Map<string, Session>();
  private readonly found = new Map<string, Pattern>();

  /** `partial`: the input is a later part of a log (worker threads), merged in order with merge(). */
  constructor(
    private readonly options: NPlusOneOptions = { minRepeats: 5, maxGapMs: 1000 },
    private readonly partial = false,
  ) {}

  statement(session: string, fingerprint: string, e: StatementEvent): void {
    const value = e.parameters ?? e.sql;
    const time = e.record.time;
    if (++this.seen % SWEEP_EVERY === 0 && time !== null) this.sweep(time);
    // The common case, one more call in the session's current run: no allocation.
    const s = this.sessions.get(session) ?? this.unpark(session);
    const r = s?.current;
    const vxid = e.record.vxid;
    if (r && r.run === fingerprint && !this.gap(r.lastTime, time)) {
      this.absorb(r, 1, Math.round((e.durationMs ?? 0) * 1000), value, false, time);
      if (r.values.length < 5) r.values.push(e.parameters ?? "");
      if (vxid !== r.vxid) r.inTransaction = false;
      return;
    }
    const control = transactionControl(e.sql);
    this.extend(
      session,
      {
        run: fingerprint,
        count: 1,
        us: Math.round((e.durationMs ?? 0) * 1000),
        values: [e.parameters ?? ""],
        distinct: false,
        first: value,
        firstTime: e.record.time,
        lastTime: e.record.time,
        // With %v in the prefix the id says it; without, whether a BEGIN is open (autocommit otherwise).
        inTransaction: vxid !== null ? !vxid.endsWith("/0") : (s?.open ?? false),
        vxid,
      },
      true,
    );
    if (control !== 0) (this.sessions.get(session) as Session).open = control > 0;
  }

  end(): void {
    for (const s of this.sessions.values()) this.close(s);
    for (const s of this.parked.values()) this.close(s);
    this.sessions.clear();
    this.parked.clear();
  }

  /** A parked session that logs again is active again. */
  private unpark(key: string): Session | undefined {
    const s = this.parked.get(key);
    if (s) {
      this.parked.delete(key);
      this.sessions.set(key, s);
    }
    return s;
  }

  /**
   * Sessions quiet for longer than the gap have ended their run: record it and forget the session, so that a
   * long log's many short-lived sessions (and the log text their last values point into) are not all kept.
   * A quiet session is parked first and closed at the next sweep: the log reader may still hold its last
   * statement (it emits a message once it knows the message's lines are all read, see StderrLogReader), and it
   * hands it over well within a sweep's 65,536 statements. Closed at once, the run was one statement short.
   */
  private sweep(now: number): void {
    for (const s of this.parked.values()) this.close(s);
    this.parked = new Map();
    for (const [key, s] of this.sessions) {
      if (!s.current || !this.gap(s.current.lastTime, now)) continue;
      if (s.head || s.sourceUnknown) {
        // A part's first run waits in `head` for merge() to learn what came before it.
        this.close(s);
        s.current = null;
        s.source = null;
        continue;
      }
      this.sessions.delete(key);
      this.parked.set(key, s);
    }
  }

  state(): NPlusOneState {
    return { found: [...this.found.values()], sessions: [...this.sessions, ...this.parked] };
  }

  /** Add the state of the part of the input that follows what this detector has read. */
  merge(state: NPlusOneState): void {
    // The runs at the part's start come first in time: stitch them before adding what the part found.
    for (const [key, next] of state.sessions) {
      if (next.head) {
        // The part's first run ended inside it: it continues this side's run, or follows it.
        this.extend(key, next.head);
        const s = this.sessions.get(key) as Session;
        this.close(s);
        this.sessions.set(key, { ...next, head: null, sourceUnknown: false });
        this.parked.delete(key);
      } else if (next.current) {
        this.extend(key, next.current);
      }
    }
    for (const p of state.found) this.add(p.source, p.repeated, p);
  }

  /** `fresh`: the segment was made for this call and may become the session's run as it is (no copy). */
  private extend(key: string, seg: Run, fresh = false): void {
    let s = this.sessions.get(key) ?? this.unpark(key);
    if (!s) {
      s = { source: null, current: null, sourceUnknown: this.partial, head: null, open: false };
      this.sessions.set(key, s);
    }
    if (s.current && this.gap(s.current.lastTime, seg.firstTime)) {
      this.close(s);
      s.source = null;
      s.current = null;
    }
    if (s.current && s.current.run === seg.run) {
      const r = s.current;
      if (!seg.inTransaction || seg.vxid !== r.vxid) r.inTransaction = false;
      this.absorb(r, seg.count, seg.us, seg.first, seg.distinct, seg.lastTime);
      for (const v of seg.values) if (r.values.length < 5) r.values.push(v);
      return;
    }
    const previous = s.current?.run ?? null;
    this.close(s);
    if (s.current) s.source = previous;
    s.current = fresh ? seg : { ...seg, values: [...seg.values] };
  }

  /** Whether a pause longer than maxGapMs lies between two times (unknown times make none). */
  private gap(last: number | null, next: number | null): boolean {
    return last !== null && next !== null && next - last > this.options.maxGapMs;
  }

  /** More calls of the run's statement (one statement, or a part's segment) join the run. */
  private absorb(
    r: Run,
    count: number,
    us: number,
    first: string | null,
    distinct: boolean,
    lastTime: number | null,
  ): void {
    r.count += count;
    r.us += us;
    if (distinct || first !== r.first) r.distinct = true;
    r.lastTime = lastTime ?? r.lastTime;
  }

  /** The patterns found, most time wasted first. */
  patterns(queryOf: (fingerprint: string) => string): NPlusOnePattern[] {
    return [...this.found.values()]
      .map((p) => {
        const counts = [...p.repeats].sort((a, b) => a[0] - b[0]);
        const total = counts.reduce((x, [, n]) => x + n, 0);
        let seen = 0;
        let median = 0;
        for (const [repeats, n] of counts) {
          seen += n;
          median = repeats;
          if (seen >= total / 2) break;
        }
        const query = queryOf(p.repeated);
        const wastedMs = Math.round((p.totalUs / 1000) * (1 - 1 / Math.max(median, 1)) * 1000) / 1000;
        return {
          source: { fingerprint: p.source, query: queryOf(p.source) },
          repeated: { fingerprint: p.repeated, query },
          occurrences: p.occurrences,
          repeats: { min: counts[0]?.[0] ?? 0, median, max: counts.at(-1)?.[0] ?? 0 },
          totalMs: p.totalUs / 1000,
          wastedMs,
          exampleParameters: p.values.filter(Boolean),
          inTransaction: p.inTransaction,
        };
      })
      .sort((a, b) => b.wastedMs - a.wastedMs);
  }

  /** The session's run ended: record it when it is an N+1. */
  private close(s: Session): void {
    const r = s.current;
    if (!r) return;
    if (s.sourceUnknown) {
      s.sourceUnknown = false;
      // Kept until the end of the part: copies, not views into the log's text.
      s.head = { ...r, first: detach(r.first), values: r.values.map((v) => detach(v)) };
      return;
    }
    if (!s.source || s.source === r.run || r.count < this.options.minRepeats || !r.distinct) return;
    this.add(s.source, r.run, {
      occurrences: 1,
      repeats: new Map([[r.count, 1]]),
      totalUs: r.us,
      values: r.values,
      inTransaction: r.inTransaction ? 1 : 0,
    });
  }

  private add(source: string, repeated: string, p: Omit<Pattern, "source" | "repeated">): void {
    const key = `${source}>${repeated}`;
    const mine = this.found.get(key);
    if (!mine) {
      this.found.set(key, {
        source,
        repeated,
        ...p,
        repeats: new Map(p.repeats),
        values: p.values.map((v) => detach(v)),
      });
      return;
    }
    mine.occurrences += p.occurrences;
    mine.totalUs += p.totalUs;
    mine.inTransaction += p.inTransaction;
    for (const [n, times] of p.repeats) mine.repeats.set(n, (mine.repeats.get(n) ?? 0) + times);
  }
}

/** The SQL a statement's placeholders are written in. */
export type SqlDialect = "postgres" | "mysql";

/** A statement as its dialect writes placeholders: `$1` for PostgreSQL, `?` for MySQL. */
export function inDialect(query: string, dialect: SqlDialect): string {
  return dialect === "mysql" ? query.replace(/\$\d+/g, "?") : query;
}

/**
 * BEGIN / START TRANSACTION (1), COMMIT / END / ROLLBACK / ABORT (-1), anything else (0). Only the first
 * letter is looked at for most statements. ROLLBACK TO SAVEPOINT and PREPARE TRANSACTION keep the transaction.
 */
export function transactionControl(sql: string): number {
  let i = 0;
  while (i < sql.length && sql.charCodeAt(i) <= 32) i++;
  // The first two letters of begin, start, commit, end, abort and rollback: most statements (select, set,
  // update ...) go no further, without a lower-cased copy and two regular expressions.
  const c = sql.charCodeAt(i) | 32;
  const d = sql.charCodeAt(i + 1) | 32;
  if (
    !(
      (c === 98 && d === 101) ||
      (c === 115 && d === 116) ||
      (c === 99 && d === 111) ||
      (c === 101 && d === 110) ||
      (c === 97 && d === 98) ||
      (c === 114 && d === 111)
    )
  )
    return 0;
  const head = sql.slice(i, i + 40).toLowerCase();
  if (/^(begin|start\s+transaction)\b/.test(head)) return 1;
  if (/^(commit|end|abort)\b(?!\s+prepared)|^rollback\b(?!\s+(to|prepared)\b)/.test(head)) return -1;
  return 0;
}

/** Whether a statement (normalised or as logged) starts or ends a transaction. */
export function isTransactionControl(sql: string): boolean {
  return transactionControl(sql) !== 0;
}
