/**
 * Which statements of a workload may not be replayed on a database the user has not marked --sandbox: those that
 * change data or lock rows (INSERT/UPDATE/DELETE/MERGE, a data-modifying CTE, SELECT … FOR UPDATE, SELECT INTO),
 * DDL and other utility statements, reads calling a built-in that writes (nextval, txid_current, pg_notify…), and
 * reads calling a VOLATILE function of the user's, which may write. Read from each statement's libpg-query tree
 * (facts/scaling/statement-traits.ts) and pg_proc; the functions a read runs unwritten, in the views it reads and
 * the tables' row-level security policies, are judged the same way (facts/scaling/view-functions.ts).
 */
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";

/**
 * VOLATILE built-ins a replay may call anywhere: they only read the clock or draw numbers. Every other VOLATILE
 * function, pg_catalog's included (pg_terminate_backend, pg_cancel_backend, pg_reload_conf, pg_stat_reset,
 * set_config, the advisory locks…), acts on the server even in a read-only transaction, so it needs --sandbox.
 */
const HARMLESS_VOLATILE = new Set([
  "random",
  "random_normal",
  "setseed",
  "clock_timestamp",
  "timeofday",
  "gen_random_uuid",
  "uuid_generate_v4",
  "pg_sleep",
]);

import { functionVolatility } from "../../facts/scaling/function-volatility.js";
import { statementTraits } from "../../facts/scaling/statement-traits.js";
import { type HiddenCall, hiddenCalls } from "../../facts/scaling/view-functions.js";

/** Why a statement writes, or null when it only reads. */
export async function writeReasons(
  db: PostgresConnector,
  statements: ReadonlyArray<{ id: string; sql: string }>,
): Promise<Map<string, string | null>> {
  const traits = statements.map((s) => ({ id: s.id, traits: statementTraits(s.sql) }));
  const hidden = await hiddenCalls(db, [...new Set(traits.flatMap((t) => t.traits.tables))]);
  const volatility = await functionVolatility(db, [
    ...new Set([
      ...traits.flatMap((t) => t.traits.functions),
      ...[...hidden.values()].flatMap((calls) => calls.map((c) => c.fn)),
    ]),
  ]);
  const writes = (f: string) => volatility.mayWrite.get(f) === true;
  const acts = (f: string) =>
    volatility.volatile.get(f) === true && !HARMLESS_VOLATILE.has(f.slice(f.lastIndexOf(".") + 1));
  const out = new Map<string, string | null>();
  for (const { id, traits: t } of traits) {
    const unwritten: HiddenCall[] = t.tables.flatMap((table) => hidden.get(table) ?? []);
    const userWrite = t.functions.find(writes);
    const acting = t.functions.find(acts);
    const hiddenWrite = unwritten.find((c) => writes(c.fn));
    const hiddenActing = unwritten.find((c) => acts(c.fn));
    out.set(
      id,
      t.kind === "unknown"
        ? "it is not a query dbopt knows (or it does not parse)"
        : t.kind === "utility"
          ? "it is not a query (DDL or a utility statement)"
          : t.primaryOnly
            ? `it ${t.primaryOnly}`
            : t.kind === "write"
              ? `it changes or locks rows${t.writes.length ? ` of ${t.writes.join(", ")}` : ""}`
              : userWrite
                ? `it calls ${userWrite}(), a VOLATILE function that may write`
                : acting
                  ? `it calls ${acting}(), a VOLATILE function that acts on the server`
                  : hiddenWrite
                    ? `it reads ${hiddenWrite.via}, whose definition or policy calls ${hiddenWrite.fn}(), a VOLATILE function that may write`
                    : hiddenActing
                      ? `it reads ${hiddenActing.via}, whose definition or policy calls ${hiddenActing.fn}(), a VOLATILE function that acts on the server`
                      : t.sessionFeatures.length
                        ? `it leaves session state (${t.sessionFeatures.join(", ")})`
                        : null,
    );
  }
  return out;
}
