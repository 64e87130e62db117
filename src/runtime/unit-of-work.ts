/**
 * The queries of one unit of work (a request, a job, a test) and the N+1 patterns among them: one statement
 * shape run at least minRepeats times with different values, after a different statement. Queries issued while
 * another of the same shape is still running make the pattern concurrent (Promise.all over rows).
 */
import { normaliseSql, numberParams } from "../facts/logs/normalise-sql.js";

export interface RuntimeNPlusOne {
  /** The unit of work's name ("GET /orders", a test's title). */
  unit: string;
  source: string | null;
  repeated: string;
  count: number;
  concurrent: boolean;
  /** Parameter lists of the first calls, as given. */
  exampleParameters: unknown[][];
  /** Where the first repeated call was made: the first stack frame outside dbopt and the database driver. */
  callSite: string | null;
  /** The repeated statement batched into one (batched-rewrites.ts fills it in), when its shape allows it. */
  rewrite: string | null;
}

interface Shape {
  query: string;
  count: number;
  values: Set<string>;
  examples: unknown[][];
  /** The shape issued before the first call of this one. */
  source: string | null;
  inFlight: number;
  concurrent: boolean;
  callSite: string | null;
}

const MAX_SHAPES = 1000;
const MAX_VALUES = 50;

export class UnitOfWork {
  private readonly shapes = new Map<string, Shape>();
  private last: string | null = null;

  constructor(
    readonly name: string,
    private readonly captureStack: boolean,
  ) {}

  /** A query is issued; call the returned function when it has finished. Untimed queries (a logger's) are never
   * counted as running, so they cannot make a pattern concurrent. */
  begin(sql: string, params: readonly unknown[] | undefined, timed = true): () => void {
    const key = normaliseSql(sql);
    let shape = this.shapes.get(key);
    if (!shape) {
      if (this.shapes.size >= MAX_SHAPES) return noop;
      shape = {
        query: numberParams(key),
        count: 0,
        values: new Set(),
        examples: [],
        source: this.last !== key ? this.last : null,
        inFlight: 0,
        concurrent: false,
        callSite: null,
      };
      this.shapes.set(key, shape);
    }
    shape.count++;
    if (shape.count === 2 && this.captureStack) shape.callSite = callSite(new Error().stack);
    if (shape.values.size < MAX_VALUES) shape.values.add(valueKey(sql, params));
    if (shape.examples.length < 3 && params?.length) shape.examples.push([...params]);
    this.last = key;
    if (!timed) return noop;
    if (shape.inFlight > 0) shape.concurrent = true;
    shape.inFlight++;
    const s = shape;
    return () => {
      s.inFlight--;
    };
  }

  /** The patterns, their rewrites still null (withRewrites adds them). */
  patterns(minRepeats: number): RuntimeNPlusOne[] {
    const found: RuntimeNPlusOne[] = [];
    for (const s of this.shapes.values()) {
      // The same values each time is a retry or a poll, not a loop over rows.
      if (s.count < minRepeats || s.values.size < 2) continue;
      found.push({
        unit: this.name,
        source: s.source === null ? null : (this.shapes.get(s.source)?.query ?? null),
        repeated: s.query,
        count: s.count,
        concurrent: s.concurrent,
        exampleParameters: s.examples,
        callSite: s.callSite,
        rewrite: null,
      });
    }
    return found;
  }
}

function noop(): void {}

function valueKey(sql: string, params: readonly unknown[] | undefined): string {
  if (!params?.length) return sql;
  try {
    return JSON.stringify(params, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  } catch {
    return sql + String(params.length);
  }
}

/** The first frame of a stack that is not dbopt's runtime, a database driver or Node itself. */
export function callSite(stack: string | undefined): string | null {
  for (const line of (stack ?? "").split("\n").slice(1)) {
    const frame = line.trim();
    if (!frame.startsWith("at ")) continue;
    if (
      /[/\\]runtime[/\\][\w-]+\.(js|ts)|node_modules[/\\](pg|pg-pool|kysely|drizzle-orm|knex|dbopt)[/\\]|node:internal|\(node:/.test(
        frame,
      )
    )
      continue;
    return frame.slice(3);
  }
  return null;
}
