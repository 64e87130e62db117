/** One message of a PostgreSQL server log, whatever the format it was written in. */
export interface LogRecord {
  /** Milliseconds since the epoch, when the line has a time. */
  time: number | null;
  pid: string | null;
  user: string | null;
  database: string | null;
  application: string | null;
  /** Session id (%c), or null; with the pid it keeps sessions apart when pids are reused. */
  session: string | null;
  /** Virtual transaction id (%v), or null. */
  vxid: string | null;
  /** LOG, ERROR, FATAL, WARNING, ... */
  level: string;
  sqlstate: string | null;
  message: string;
  detail: string | null;
  /** The STATEMENT: line that follows an error, or the csv/json query field. */
  statement: string | null;
  /** What the MySQL/MariaDB slow log says besides the time: rows sent and examined, lock time, full scan. */
  rows?: { sent: number; examined: number; lockMs: number; fullScan: boolean };
  /** A PgBouncer log line, not a server message: client (C) or server (S) connection and its address. */
  pgbouncer?: { side: "C" | "S" | null; address: string | null };
  /** The file's line the message starts on, when the reader was asked to count (stderr-form logs only). */
  line?: number;
}

export const LEVELS = [
  "LOG",
  "ERROR",
  "WARNING",
  "FATAL",
  "PANIC",
  "NOTICE",
  "INFO",
  "DEBUG",
  "DEBUG1",
  "DEBUG2",
  "DEBUG3",
  "DEBUG4",
  "DEBUG5",
] as const;

/** Lines that attach to the message before them from the same process. */
export const ATTACHED = ["DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"] as const;
