/**
 * node-postgres instrumented for the guard: a Client's query, or a Pool's query and the clients it hands out.
 * pool.query is counted at the pool (the caller's unit of work is known there; the pool may run the query on a
 * client released by another request), so the client it uses inside does not count it again.
 */
import type { NPlusOneGuard } from "./n-plus-one-guard.js";

const WRAPPED = Symbol.for("dbopt.runtime.wrapped");
/** A pooled client counts its queries only while the application holds it (between connect and release). */
const HELD = Symbol.for("dbopt.runtime.held");

interface Queryable {
  query: (...args: unknown[]) => unknown;
  release?: (...args: unknown[]) => unknown;
  [WRAPPED]?: true;
  [HELD]?: boolean;
}
interface PoolLike extends Queryable {
  connect: (...args: unknown[]) => unknown;
}

let insidePoolQuery = false;

export function wrapPg<T extends object>(guard: NPlusOneGuard, target: T): T {
  if (!guard.enabled) return target;
  const q = target as unknown as PoolLike;
  if (q[WRAPPED] || typeof q.query !== "function") return target;
  q[WRAPPED] = true;
  const isPool = typeof q.connect === "function" && "totalCount" in q;
  wrapQuery(guard, q, isPool, () => q[HELD] !== false);
  if (isPool) {
    const connect = q.connect.bind(q);
    q.connect = (...args: unknown[]) => {
      if (insidePoolQuery) return connect(...args);
      const wrapClient = (client: unknown) => {
        if (client && typeof client === "object") holdClient(guard, client as Queryable);
        return client;
      };
      const cb = args[0];
      if (typeof cb === "function")
        return connect((err: unknown, client: unknown, release: unknown) =>
          cb(err, wrapClient(client), release),
        );
      return (connect() as Promise<unknown>).then(wrapClient);
    };
  }
  return target;
}

/** A client the pool handed to the application: counted until it is released. */
function holdClient(guard: NPlusOneGuard, client: Queryable): void {
  client[HELD] = true;
  if (client[WRAPPED]) return;
  client[WRAPPED] = true;
  wrapQuery(guard, client, false, () => client[HELD] === true);
  const release = client.release?.bind(client);
  if (release)
    client.release = (...args: unknown[]) => {
      client[HELD] = false;
      return release(...args);
    };
}

function wrapQuery(guard: NPlusOneGuard, q: Queryable, isPool: boolean, counted: () => boolean): void {
  const query = q.query.bind(q);
  q.query = (...args: unknown[]) => {
    if (insidePoolQuery || !counted()) return query(...args);
    const [first, second] = args;
    const config =
      typeof first === "object" && first !== null ? (first as { text?: string; values?: unknown[] }) : null;
    const sql = typeof first === "string" ? first : (config?.text ?? "");
    const values = Array.isArray(second) ? second : config?.values;
    const done = sql ? guard.begin(sql, values) : () => {};
    let result: unknown;
    if (isPool) insidePoolQuery = true;
    try {
      // Callback style: finish when the callback runs.
      const cb = args.at(-1);
      if (typeof cb === "function") {
        args[args.length - 1] = (...cbArgs: unknown[]) => {
          done();
          return cb(...cbArgs);
        };
      }
      result = query(...args);
    } finally {
      insidePoolQuery = false;
    }
    if (result && typeof (result as Promise<unknown>).then === "function")
      return (result as Promise<unknown>).finally(done);
    return result;
  };
}
