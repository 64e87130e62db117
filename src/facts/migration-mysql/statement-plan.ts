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
}

type Alter = Extract<MysqlDdl, { kind: "alter-table" }>;

export function planStatement(ddl: Alter, server: ServerVersion, table: TableContext): StatementPlan {
  const operations: OperationSupport[] = [];
  const unknown: string[] = [];
  for (const op of ddl.operations) {
    const s = operationSupport(op, server, table);
    if (s) operations.push(s);
    else unknown.push(describe(op));
  }
  const rank = (a: OnlineAlgorithm) => ALGORITHMS.indexOf(a);
  const best = operations.reduce<OnlineAlgorithm>((w, s) => (rank(s.best) > rank(w) ? s.best : w), "INSTANT");
  const lock = operations.some((s) => s.lock === "SHARED") || best === "COPY" ? "SHARED" : "NONE";
  const requested = { algorithm: ddl.algorithm, lock: ddl.lock };
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
  const usedLock: OnlineLock = used === "COPY" ? "SHARED" : lock;
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
  };
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
  if (op.kind === "table-option") return `${op.option}=${op.value}`;
  return op.kind;
}
