/** Stable codes for everything that can go wrong between dbopt and a database. */
export type DbErrorCode =
  | "connection-refused"
  | "host-not-found"
  | "connection-timeout"
  | "auth-failed"
  | "database-missing"
  | "permission-denied"
  | "statement-timeout"
  | "lock-timeout"
  | "unsupported-version"
  | "extension-missing"
  | "query-failed"
  | "invalid-target"
  | "embedded-start-failed"
  /** SIGINT/SIGTERM stopped the work (after dbopt cleaned up what it had started). */
  | "interrupted"
  /** Nothing could be analysed (no statement could be planned, every object locked): no conclusion to print. */
  | "no-data";

/** Connection problems exit with 3; the rest are input or query problems. */
const CONNECTION_CODES: ReadonlySet<DbErrorCode> = new Set([
  "connection-refused",
  "host-not-found",
  "connection-timeout",
  "auth-failed",
  "database-missing",
  "embedded-start-failed",
]);

export interface DbErrorInit {
  code: DbErrorCode;
  message: string;
  hint: string;
  cause?: unknown;
  /** SQLSTATE when the server sent one. */
  sqlState?: string;
}

/** The one error type connectors throw. Its message never contains a password. */
export class DbError extends Error {
  readonly code: DbErrorCode;
  readonly hint: string;
  readonly sqlState: string | undefined;

  constructor(init: DbErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "DbError";
    this.code = init.code;
    this.hint = init.hint;
    this.sqlState = init.sqlState;
  }

  get isConnectionError(): boolean {
    return CONNECTION_CODES.has(this.code);
  }
}
