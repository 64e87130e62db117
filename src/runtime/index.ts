/**
 * `dbopt/runtime`: N+1 detection inside a Node application or its test suite.
 *
 *   import { createNPlusOneGuard } from "dbopt/runtime";
 *   const guard = createNPlusOneGuard({ mode: "throw" });
 *   const pool = guard.wrapPg(new pg.Pool());
 *   await guard.run("GET /orders", () => handler());
 */
import { type GuardOptions, NPlusOneGuard } from "./n-plus-one-guard.js";
import { wrapPg } from "./wrap-pg.js";

export type { GuardOptions } from "./n-plus-one-guard.js";
export { describe as describeNPlusOne, NPlusOneError, NPlusOneGuard } from "./n-plus-one-guard.js";
export type { RuntimeNPlusOne } from "./unit-of-work.js";

export interface Guard extends NPlusOneGuard {
  /** Instrument a node-postgres Pool or Client (returned as is when the guard is disabled). */
  wrapPg<T extends object>(target: T): T;
}

export function createNPlusOneGuard(options: GuardOptions = {}): Guard {
  const guard = new NPlusOneGuard(options) as Guard;
  guard.wrapPg = (target) => wrapPg(guard, target);
  return guard;
}
