/**
 * dbopt's runtime N+1 guard for Node applications and their test suites. Queries are attributed to the unit of
 * work they run in (AsyncLocalStorage: guard.run(name, fn), or guard.middleware() per HTTP request); when a unit
 * ends, each N+1 pattern in it is warned about, thrown, or collected. Disabled (the default in production), every
 * entry point returns at once and wrapPg leaves the driver untouched.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { SqlDialect } from "../facts/logs/n-plus-one.js";
import { withRewrites } from "./batched-rewrites.js";
import { type RuntimeNPlusOne, UnitOfWork } from "./unit-of-work.js";

export interface GuardOptions {
  /** Default: on unless NODE_ENV is "production". */
  enabled?: boolean;
  /** warn (default): log each pattern; throw: run() rejects with NPlusOneError; collect: only guard.found. */
  mode?: "warn" | "throw" | "collect";
  /** Calls of one shape in one unit that make an N+1 (default 5, Sentry's bar). */
  minRepeats?: number;
  /** Where warnings go (default console.warn). */
  log?: (message: string) => void;
  /** Called for every pattern found, whatever the mode. */
  onDetect?: (pattern: RuntimeNPlusOne) => void;
  /** Record where the repeated call was made (a stack trace per shape and unit; default true). */
  callSites?: boolean;
  /** The SQL the rewrites are written in: "postgres" (`= ANY($1)`, the default) or "mysql" (`IN (?, ...)`). */
  dialect?: SqlDialect;
}

export class NPlusOneError extends Error {
  constructor(readonly patterns: RuntimeNPlusOne[]) {
    super(patterns.map(describe).join("\n"));
    this.name = "NPlusOneError";
  }
}

export class NPlusOneGuard {
  readonly enabled: boolean;
  /** Every pattern found so far (all modes). */
  readonly found: RuntimeNPlusOne[] = [];
  private readonly storage = new AsyncLocalStorage<UnitOfWork>();
  private readonly mode: NonNullable<GuardOptions["mode"]>;
  private readonly minRepeats: number;

  constructor(private readonly options: GuardOptions = {}) {
    this.enabled = options.enabled ?? process.env.NODE_ENV !== "production";
    this.mode = options.mode ?? "warn";
    this.minRepeats = options.minRepeats ?? 5;
  }

  /** Run fn as one unit of work; its N+1 patterns are reported when it settles. */
  async run<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    if (!this.enabled) return fn();
    const unit = new UnitOfWork(name, this.options.callSites ?? true);
    const result = await this.storage.run(unit, fn);
    await this.finish(unit);
    return result;
  }

  /** Express/Connect-style middleware: each request is a unit of work, reported when the response finishes. */
  middleware(): (
    req: { method?: string; url?: string },
    res: { once(event: "finish" | "close", listener: () => void): unknown },
    next: () => void,
  ) => void {
    return (req, res, next) => {
      if (!this.enabled) return next();
      const unit = new UnitOfWork(
        `${req.method ?? ""} ${req.url ?? ""}`.trim(),
        this.options.callSites ?? true,
      );
      let done = false;
      const end = () => {
        if (done) return;
        done = true;
        // A response cannot carry the error any more; say it.
        this.finish(unit).catch((error: unknown) => (this.options.log ?? console.warn)(String(error)));
      };
      res.once("finish", end);
      res.once("close", end);
      this.storage.run(unit, next);
    };
  }

  /**
   * The plain hook for query builders and ORMs: call it with each query's text and parameters.
   * Kysely: `log: (e) => e.level === "query" && guard.record(e.query.sql, e.query.parameters)`;
   * Drizzle: `logger: { logQuery: (sql, params) => guard.record(sql, params) }`;
   * Knex: `knex.on("query", (q) => guard.record(q.sql, q.bindings))`.
   * A logger does not say when a query finished, so repeats recorded here are never called concurrent; an
   * integration that knows uses begin().
   */
  record(sql: string, params?: readonly unknown[]): void {
    if (!this.enabled) return;
    this.storage.getStore()?.begin(sql, params, false);
  }

  /** A query starts; call the returned function when it has finished (repeats that overlap are concurrent). */
  begin(sql: string, params?: readonly unknown[]): () => void {
    if (!this.enabled) return noop;
    const unit = this.storage.getStore();
    return unit ? unit.begin(sql, params, true) : noop;
  }

  /** The unit of work the caller is in, or null. */
  current(): string | null {
    return this.storage.getStore()?.name ?? null;
  }

  private async finish(unit: UnitOfWork): Promise<void> {
    const found = unit.patterns(this.minRepeats);
    if (found.length === 0) return;
    const patterns = await withRewrites(found, this.options.dialect ?? "postgres");
    this.found.push(...patterns);
    for (const p of patterns) this.options.onDetect?.(p);
    if (this.mode === "throw") throw new NPlusOneError(patterns);
    if (this.mode === "warn") for (const p of patterns) (this.options.log ?? console.warn)(describe(p));
  }
}

function noop(): void {}

/** A loop of writes is batched differently from a loop of reads: there are no rows to fetch. */
function genericFix(repeated: string): string {
  // A leading comment (an ORM's tag) may come before the verb.
  const verb = /^\s*(?:\/\*[\s\S]*?\*\/\s*|--[^\n]*\n\s*)*(\w+)/.exec(repeated)?.[1]?.toLowerCase();
  if (verb === "insert")
    return "send the rows in one statement (a multi-row INSERT ... VALUES (...), (...), or COPY)";
  if (verb === "update" || verb === "delete" || verb === "merge")
    return `change the rows for all the source rows in one statement (${verb.toUpperCase()} ... WHERE key = ANY($1))`;
  return "fetch the rows for all source rows at once (IN / ANY, or a JOIN)";
}

export function describe(p: RuntimeNPlusOne): string {
  return [
    `dbopt: N+1 in ${p.unit}: ${p.count}× ${p.concurrent ? "concurrently " : ""}${p.repeated}`,
    p.source ? `  after: ${p.source}` : null,
    p.callSite ? `  at ${p.callSite}` : null,
    p.rewrite ? `  fix: one query for the whole list: ${p.rewrite}` : `  fix: ${genericFix(p.repeated)}`,
  ]
    .filter((l): l is string => l !== null)
    .join("\n");
}
