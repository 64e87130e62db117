import { CommanderError } from "commander";
import { DbError } from "../connectors/db-error.js";
import { InputError } from "../util/input-error.js";
import { withoutSecrets } from "../util/secret-text.js";
import { EXIT } from "./exit-codes.js";
import { FILE_PROBLEMS, fileProblem } from "./file-problems.js";

/**
 * One line that says what is wrong and what to do, and the exit code that goes with it. The line quotes the user's
 * input at times (a file's first line, a URL): it is kept to one line of printable text, without passwords.
 */
export function describeError(error: unknown): { line: string; code: number } {
  const { line, code } = describeAnyError(error);
  return { line: printableLine(line), code };
}

/** The --debug details (stack trace), without passwords. */
export function debugDetails(error: unknown): string {
  return withoutSecrets(error instanceof Error ? (error.stack ?? error.message) : String(error));
}

function describeAnyError(error: unknown): { line: string; code: number } {
  if (error instanceof InputError)
    return { line: `error: ${sentences(error.message, error.hint)}`, code: EXIT.usage };
  if (error instanceof DbError) {
    return {
      line: `error: ${sentences(error.message, error.hint)}`,
      code: error.isConnectionError ? EXIT.connection : EXIT.usage,
    };
  }
  if (error instanceof CommanderError) {
    // Commander puts its suggestion on a line of its own: "unknown command 'analyse'\n(Did you mean analyze?)".
    const message = error.message.replace(/^error: /, "").replace(/\s*\n\s*\(Did you mean/, " (did you mean");
    const path = (error as CommanderError & { commandPath?: string }).commandPath;
    return {
      line: `error: ${sentences(message, `run dbopt ${path ? `${path} --help for its options` : "--help for the commands and options"}`)}`,
      code: EXIT.usage,
    };
  }
  const environmental = describeEnvironmentError(error);
  if (environmental) return environmental;
  const message = error instanceof Error ? error.message : String(error);
  return {
    line: `error: ${message}. This is a bug in dbopt; run again with --debug and report the output.`,
    code: EXIT.internal,
  };
}

interface SystemError {
  code?: unknown;
  errno?: unknown;
  syscall?: unknown;
  path?: unknown;
  severity?: unknown;
  message?: unknown;
}

function describeEnvironmentError(error: unknown): { line: string; code: number } | null {
  if (typeof error !== "object" || error === null) return null;
  const e = error as SystemError;
  const code = typeof e.code === "string" ? e.code : "";
  // Corrupt or cut-off compressed input (node:zlib): the user's file, not dbopt.
  if (/^Z_(DATA|BUF|NEED_DICT|STREAM)_ERROR$/.test(code)) {
    return {
      line: `error: the compressed input is corrupt or truncated (${String(e.message)}). Check the file (gzip -t FILE), or pass it uncompressed.`,
      code: EXIT.usage,
    };
  }
  if (code in FILE_PROBLEMS && typeof e.syscall === "string") {
    const verb = /^(read|scandir|stat|lstat|access|opendir|readlink)$/.test(e.syscall)
      ? "read"
      : e.syscall === "open"
        ? "open"
        : "write";
    const path = typeof e.path === "string" ? ` ${e.path}` : " a file";
    return {
      line: `error: cannot ${verb}${path}: ${fileProblem(code)}. Check the path and its permissions${/ENOSPC|EDQUOT/.test(code) ? ", and free some space" : ""}.`,
      code: EXIT.usage,
    };
  }
  // A server error that escaped a connector (raw from the driver): login, missing database, lost connection.
  if (/^(28|3D|08)[0-9A-Z]{3}$/.test(code) && typeof e.severity === "string") {
    return {
      line: `error: the server refused the connection: ${String(e.message)}. Check the user, password and database name in the URL.`,
      code: EXIT.connection,
    };
  }
  if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET)$/.test(code)) {
    return {
      line: `error: cannot reach the server: ${String(e.message)}. Check the host and port, and that the server is running.`,
      code: EXIT.connection,
    };
  }
  return null;
}

/** "message. Hint." with one full stop each: a message or hint that already ends a sentence gets no second one. */
function sentences(message: string, hint: string): string {
  // A hint that ends in a statement ("GRANT ... TO app;") ends there.
  const ended = (text: string) => (/[.?!;]$/.test(text) ? text : `${text}.`);
  return `${ended(message.trim())} ${ended(capitalise(hint.trim()))}`;
}

/** The hint's first letter in capitals, unless it starts with a command name (`dbopt diff a b`). */
function capitalise(text: string): string {
  if (/^dbopt\b/.test(text)) return text;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters a terminal line must not hold.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** One line of printable text: line breaks become spaces, control characters \xNN, passwords ***. */
function printableLine(line: string): string {
  return withoutSecrets(line)
    .replace(/\s*\r?\n\s*/g, " ")
    .replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
