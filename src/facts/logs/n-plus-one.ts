/**
 * N+1 patterns in a log: within one session, a run of the same statement shape with different values, right
 * after a different statement (the "source" whose rows drive the loop). Runs end at a different statement or a
 * pause longer than maxGapMs.
 */
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
  /** Time a batched statement would likely save: all but one call's share of each run. */
  wastedMs: number;
  exampleParameters: string[];
  /** The repeated statement batched into one, when its shape allows it. */
  rewrite: string | null;
}

interface Session {
  source: string | null;
  run: string | null;
  count: number;
  ms: number;
  values: string[];
  distinct: boolean;
  lastTime: number | null;
  first: string | null;
}

interface Pattern {
  source: string;
  repeated: string;
  occurrences: number;
  repeats: Map<number, number>;
  totalMs: number;
  values: string[];
}

export class NPlusOneDetector {
  private readonly sessions = new Map<string, Session>();
  private readonly found = new Map<string, Pattern>();

  constructor(private readonly options: NPlusOneOptions = { minRepeats: 5, maxGapMs: 1000 }) {}

  statement(session: string, fingerprint: string, e: StatementEvent): void {
    let s = this.sessions.get(session);
    if (!s) {
      s = {
        source: null,
        run: null,
        count: 0,
        ms: 0,
        values: [],
        distinct: false,
        lastTime: null,
        first: null,
      };
      this.sessions.set(session, s);
    }
    const t = e.record.time;
    if (s.lastTime !== null && t !== null && t - s.lastTime > this.options.maxGapMs) {
      this.close(s);
      s.source = null;
      s.run = null;
    }
    s.lastTime = t;
    const value = e.parameters ?? e.sql;
    if (fingerprint === s.run) {
      s.count++;
      s.ms += e.durationMs ?? 0;
      if (value !== s.first) s.distinct = true;
      if (s.values.length < 5) s.values.push(e.parameters ?? "");
      return;
    }
    this.close(s);
    s.source = s.run;
    s.run = fingerprint;
    s.count = 1;
    s.ms = e.durationMs ?? 0;
    s.first = value;
    s.distinct = false;
    s.values = [e.parameters ?? ""];
  }

  end(): void {
    for (const s of this.sessions.values()) this.close(s);
    this.sessions.clear();
  }

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
        return {
          source: { fingerprint: p.source, query: queryOf(p.source) },
          repeated: { fingerprint: p.repeated, query },
          occurrences: p.occurrences,
          repeats: { min: counts[0]?.[0] ?? 0, median, max: counts.at(-1)?.[0] ?? 0 },
          totalMs: Math.round(p.totalMs * 1000) / 1000,
          wastedMs: Math.round(p.totalMs * (1 - 1 / Math.max(median, 1)) * 1000) / 1000,
          exampleParameters: p.values.filter(Boolean),
          rewrite: batched(query),
        };
      })
      .sort((a, b) => b.wastedMs - a.wastedMs);
  }

  private close(s: Session): void {
    if (!s.run || !s.source || s.source === s.run || s.count < this.options.minRepeats || !s.distinct) return;
    const key = `${s.source}>${s.run}`;
    let p = this.found.get(key);
    if (!p) {
      p = {
        source: s.source,
        repeated: s.run,
        occurrences: 0,
        repeats: new Map(),
        totalMs: 0,
        values: s.values,
      };
      this.found.set(key, p);
    }
    p.occurrences++;
    p.repeats.set(s.count, (p.repeats.get(s.count) ?? 0) + 1);
    p.totalMs += s.ms;
    s.count = 0;
  }
}

/**
 * The repeated statement batched into one call taking every value of a run as an array. `where k = $1` becomes
 * `where k = ANY($1)`, with k added to the select list so the caller can hand each row back to its parent; a
 * statement that limits, groups or aggregates per value keeps its meaning only as a LATERAL join over the values.
 */
export function batched(query: string): string | null {
  if (!/^select\b/.test(query)) return null;
  const m = /\bwhere\s+([\w."]+)\s*=\s*(\$\d+)(?!\d)/.exec(query);
  if (!m) return null;
  const [match, key, param] = m as unknown as [string, string, string];
  // Other parameters (a LIMIT, a status) are the same on every call of a loop; they stay as they are.
  if (/\b(limit|offset|group by|fetch first|distinct)\b|\b(count|sum|avg|min|max)\(/.test(query)) {
    const inner = query.replace(new RegExp(`\\${param}(?!\\d)`, "g"), "batch.value");
    return `select batch.value, per_value.* from unnest(${param}) as batch(value) cross join lateral (${inner}) as per_value`;
  }
  const list = /^select\s+([\s\S]*?)\s+from\b/.exec(query)?.[1] ?? "*";
  const column = key.split(".").at(-1) as string;
  const listed =
    list === "*" || list.split(/\s*,\s*/).some((c) => c === key || c.split(".").at(-1) === column);
  const batchedQuery = query.replace(match, `where ${key} = ANY(${param})`);
  return listed ? batchedQuery : batchedQuery.replace(/^select\s+/, `select ${key}, `);
}
