/**
 * The algorithm and lock one ALTER TABLE statement will get: the worst of its operations' best (a statement runs
 * as one), the lock the weakest of them allows, whether the table is rebuilt, and what the server will say to the
 * ALGORITHM/LOCK the statement asks for (MySQL takes ALGORITHM=INPLACE as "exactly in place"; MariaDB as "in place
 * or better"; both refuse a clause the operation cannot meet, so the migration fails instead of locking).
 */
import type { AlterOperation, MysqlDdl } from "./mysql-ddl.js";
import {
  ALGORITHMS,
  LOCKS,
  type OnlineAlgorithm,
  type OnlineLock,
  type OperationSupport,
  operationSupport,
  type ServerVersion,
  type TableContext,
} from "./online-ddl-support.js";

export interface StatementPlan {
  /** The best algorithm the whole statement allows. */
  best: OnlineAlgorithm;
  /** The least lock at that algorithm. */
  lock: OnlineLock;
  /** What the server will use given the statement's own clauses (= best and lock when it gives none). */
  used: OnlineAlgorithm;
  usedLock: OnlineLock;
  rebuild: boolean;
  operations: OperationSupport[];
  /** Operations the documentation tables do not cover (their text). */
  unknown: string[];
  requested: { algorithm: string | null; lock: string | null };
  /** Why the server refuses the requested clauses, in the server's terms; null when it accepts them. */
  refused: string | null;
  /** The server has no such operation (the statement fails whatever its clauses); also in `refused`. */
  unsupported: string | null;
  /** An operation takes no ALGORITHM/LOCK (MariaDB partition management) or only DEFAULT (MySQL's DISCARD). */
  takesNoClauses: boolean;
  /** The statement is a syntax error for where its clauses stand (also in `refused`); null when it parses. */
  syntaxError: string | null;
  /** With its clauses where the grammar takes them, what the server would still refuse; null when nothing. */
  refusedWhenPlaced: string | null;
}

type Alter = Extract<MysqlDdl, { kind: "alter-table" }>;

export function planStatement(ddl: Alter, server: ServerVersion, table: TableContext): StatementPlan {
  const plan = planClauses(ddl, server, table);
  // The server parses before it plans: a clause where the grammar takes none fails the statement first.
  return ddl.syntaxError
    ? { ...plan, refused: ddl.syntaxError, syntaxError: ddl.syntaxError, refusedWhenPlaced: plan.refused }
    : plan;
}

function planClauses(ddl: Alter, server: ServerVersion, table: TableContext): StatementPlan {
  const operations: OperationSupport[] = [];
  const unknown: string[] = [];
  const virtualAdded: number[] = [];
  for (const op of ddl.operations) {
    const s = operationSupport(op, server, table);
    if (s) {
      if (op.kind === "add-column" && op.column.generated === "virtual") virtualAdded.push(operations.length);
      operations.push(s);
    } else unknown.push(describe(op));
  }
  const addsIndex = ddl.operations.some((op) => op.kind === "add-index");
  combined(operations, virtualAdded, addsIndex, server);
  const rank = (a: OnlineAlgorithm) => ALGORITHMS.indexOf(a);
  const best = operations.reduce<OnlineAlgorithm>((w, s) => (rank(s.best) > rank(w) ? s.best : w), "INSTANT");
  const lock: OnlineLock = operations.some((s) => s.lock === "EXCLUSIVE")
    ? "EXCLUSIVE"
    : operations.some((s) => s.lock === "SHARED") || best === "COPY"
      ? "SHARED"
      : "NONE";
  const requested = { algorithm: ddl.algorithm, lock: ddl.lock };
  const unsupported = operations.find((s) => s.unsupported)?.unsupported ?? null;
  const clauseRule = clauseRefusal(operations, ddl);
  if (unsupported || clauseRule)
    return {
      best,
      lock,
      used: best,
      usedLock: lock,
      rebuild: best === "COPY" || operations.some((s) => s.rebuildsInPlace),
      operations,
      unknown,
      requested,
      refused: unsupported ?? clauseRule?.refused ?? null,
      unsupported,
      takesNoClauses: clauseRule?.takesNone ?? false,
      syntaxError: null,
      refusedWhenPlaced: null,
    };
  let used: OnlineAlgorithm = best;
  let refused: string | null = null;
  const asked = ddl.algorithm as OnlineAlgorithm | null;
  if (asked && !ALGORITHMS.includes(asked)) refused = `ALGORITHM=${asked} is not an algorithm`;
  else if (asked === "NOCOPY" && server.flavour === "mysql") refused = "MySQL has no ALGORITHM=NOCOPY";
  else if (asked === "COPY") used = "COPY";
  else if (asked && rank(best) > rank(asked) && ignoredBy(operations, asked)) used = best;
  else if (asked && rank(best) > rank(asked))
    refused = `ALGORITHM=${asked} is not supported: ${worstOperation(operations, best)} needs ${best}`;
  else if (asked && server.flavour === "mysql") used = asked;
  const usedLock: OnlineLock = used === "COPY" && lock !== "EXCLUSIVE" ? "SHARED" : lock;
  const askedLock = ddl.lock as OnlineLock | null;
  // MySQL takes no LOCK clause but DEFAULT with ALGORITHM=INSTANT (ER_WRONG_USAGE; MariaDB accepts LOCK=NONE).
  if (!refused && asked === "INSTANT" && askedLock && server.flavour === "mysql")
    refused = `Incorrect usage of ALGORITHM=INSTANT and LOCK=${askedLock}: MySQL takes only LOCK=DEFAULT with INSTANT`;
  if (!refused && askedLock && LOCKS.indexOf(askedLock) < LOCKS.indexOf(usedLock))
    refused = `LOCK=${askedLock} is not supported: ${worstOperation(operations, best, true)} needs LOCK=${usedLock}`;
  const rebuild =
    used === "COPY" ||
    (used === "INPLACE" && operations.some((s) => s.rebuildsInPlace && s.best !== "NOCOPY"));
  return {
    best,
    lock,
    used,
    usedLock:
      askedLock && !refused && LOCKS.indexOf(askedLock) > LOCKS.indexOf(usedLock) ? askedLock : usedLock,
    rebuild,
    operations,
    unknown,
    requested,
    refused,
    unsupported: null,
    takesNoClauses: false,
    syntaxError: null,
    refusedWhenPlaced: null,
  };
}

/**
 * What operations do together that they do not alone. MySQL: INSTANT is all or nothing, so a column added or
 * dropped instantly is rebuilt in place when another change of the statement cannot be instant (manual, ADD
 * COLUMN: "cannot combine the addition of a column with other ALTER TABLE actions that do not support the INSTANT
 * algorithm"). MariaDB 10.11.19 as measured: ADD COLUMN with ADD INDEX refused INSTANT and NOCOPY and took
 * INPLACE (with DROP INDEX it took NOCOPY); a VIRTUAL column added with other changes only in place under
 * LOCK=SHARED ("INPLACE ADD or DROP of virtual columns cannot be combined with other ALTER TABLE actions").
 */
function combined(
  ops: OperationSupport[],
  virtualAdded: number[],
  addsIndex: boolean,
  server: ServerVersion,
): void {
  if (ops.length < 2) return;
  const mariadb = server.flavour === "mariadb";
  if (mariadb)
    for (const i of virtualAdded) {
      const o = ops[i] as OperationSupport;
      ops[i] = { ...o, operation: `${o.operation} with other changes`, best: "INPLACE", lock: "SHARED" };
    }
  if (ops.every((o) => o.best === "INSTANT") || (mariadb && !addsIndex)) return;
  for (const [i, o] of ops.entries())
    if (o.best === "INSTANT" && o.rebuildsInPlace)
      ops[i] = {
        ...o,
        operation: `${o.operation} (with a change that is not instant: rebuilt)`,
        best: "INPLACE",
      };
}

/**
 * Partition clauses whose server takes ALGORITHM/LOCK its own way: MariaDB's management clauses take none (a
 * syntax error), MySQL's DISCARD/IMPORT PARTITION only DEFAULT, MySQL's OPTIMIZE PARTITION ignores them. `refused`
 * is null when the statement's clauses pass; null altogether when no operation has such a rule.
 */
function clauseRefusal(
  ops: OperationSupport[],
  ddl: Alter,
): { refused: string | null; takesNone: boolean } | null {
  const strict = ops.find((o) => o.clauses === "none" || o.clauses === "default-only");
  if (!strict) return ops.some((o) => o.clauses === "ignored") ? { refused: null, takesNone: false } : null;
  // The reader reads ALGORITHM=DEFAULT and LOCK=DEFAULT as no request; their places are kept all the same.
  const stated = [ddl.algorithm && `ALGORITHM=${ddl.algorithm}`, ddl.lock && `LOCK=${ddl.lock}`].filter(
    (c): c is string => Boolean(c),
  );
  const refused =
    strict.clauses === "none"
      ? ddl.clauseRanges.length
        ? `${strict.operation} takes no ALGORITHM or LOCK clause on this server (ERROR 1064, a syntax error)`
        : null
      : stated.length
        ? `${strict.operation} takes only ALGORITHM=DEFAULT and LOCK=DEFAULT (asked: ${stated.join(", ")})`
        : null;
  return { refused, takesNone: true };
}

/** Every operation that cannot have `asked` is one the server takes it for and ignores. */
function ignoredBy(ops: OperationSupport[], asked: OnlineAlgorithm): boolean {
  const rank = (a: OnlineAlgorithm) => ALGORITHMS.indexOf(a);
  return ops.every((o) => rank(o.best) <= rank(asked) || o.acceptedAndIgnored?.includes(asked));
}

function worstOperation(ops: OperationSupport[], best: OnlineAlgorithm, byLock = false): string {
  const op = byLock ? ops.find((o) => o.lock !== "NONE") : ops.find((o) => o.best === best);
  return op ? op.operation : "an operation";
}

function describe(op: AlterOperation): string {
  if (op.kind === "other") return op.text;
  if (op.kind === "partition") return op.action;
  if (op.kind === "tablespace") return `${op.action} TABLESPACE`;
  if (op.kind === "table-option") return `${op.option}=${op.value}`;
  return op.kind;
}
