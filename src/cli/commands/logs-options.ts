/**
 * The logs command's options, checked without zod: loading zod (95 modules with its locales) cost dbopt logs a
 * tenth of its start-up, where pgBadger's whole start-up is a quarter of a second. The checks and their one-line
 * messages are those of option-schemas.ts's kit (cli-options.test.ts holds both to them), in the schema's order:
 * the first problem is the one reported.
 */
import { accessSync, constants, statSync } from "node:fs";
import { LOG_FORMATS, type LogFormat } from "../../facts/logs/log-formats.js";
import { formatBytes } from "../../util/format.js";
import { InputError } from "../../util/input-error.js";
import { outputProblem, parseInstant } from "../option-schemas.js";
import { parseSize } from "../parse-size.js";

export interface LogsFlags {
  prefix?: string;
  logFormat?: string;
  top?: string;
  minRepeats?: string;
  format?: string;
  output?: string;
  color?: boolean;
  jobs?: string;
  splitFrom?: string;
  since?: string;
  until?: string;
  database?: string;
  user?: string;
  application?: string;
}

export interface LogsOptions {
  files: string[];
  prefix?: string;
  logFormat?: LogFormat;
  top: number;
  minRepeats: number;
  jobs?: number;
  splitFrom: number;
  since?: number;
  until?: number;
  database?: string;
  user?: string;
  application?: string;
  format: "terminal" | "json" | "html";
  output?: string;
}

/** What a value must be ("must be ...") or what is wrong with it ("does not exist"). */
class Invalid extends Error {}

export function checkLogsOptions(files: string[], flags: LogsFlags): LogsOptions {
  const optional = <T>(flag: string, value: unknown, convert: (text: string) => T): T | undefined =>
    value === undefined ? undefined : converted(flag, value, convert);
  const whole = (min: number, max: number) => (text: string) => {
    const n = /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new Invalid(`must be a whole number from ${min} to ${max}`);
    return n;
  };
  const oneOf =
    <const V extends string>(values: readonly V[]) =>
    (text: string): V => {
      if (!values.includes(text as V)) throw new Invalid(`must be one of ${values.join(", ")}`);
      return text as V;
    };
  const instant = (text: string) => {
    const ms = parseInstant(text);
    if (ms === null) throw new Invalid("must be a time like 2026-11-26T14:00 or 2026-11-26 14:00+01");
    return ms;
  };
  const text = (t: string) => t;
  const checked: LogsOptions = {
    files: files.map((f) => converted("a log file", f, readablePath)),
    prefix: optional("--prefix", flags.prefix, text),
    logFormat: optional("--log-format", flags.logFormat, oneOf(LOG_FORMATS)),
    top: converted("--top", flags.top, whole(1, 10_000)),
    minRepeats: converted("--min-repeats", flags.minRepeats, whole(2, 1_000_000)),
    jobs: optional("--jobs", flags.jobs, whole(1, 256)),
    splitFrom: converted("--split-from", flags.splitFrom, size),
    since: optional("--since", flags.since, instant),
    until: optional("--until", flags.until, instant),
    database: optional("--database", flags.database, text),
    user: optional("--user", flags.user, text),
    application: optional("--application", flags.application, text),
    format: converted("--format", flags.format, oneOf(["terminal", "json", "html"] as const)),
    output: optional("--output", flags.output, (t) => {
      const problem = outputProblem(t);
      if (problem) throw new Invalid(`cannot be written: ${problem}`);
      return t;
    }),
  };
  if (checked.format === "html" && !checked.output && process.stdout.isTTY)
    throw new InputError(
      "--format html writes a web page, not text for the terminal",
      "add -o report.html (or send standard output to a file), then open it in a browser",
    );
  return checked;
}

function converted<T>(flag: string, value: unknown, convert: (text: string) => T): T {
  const fail = (message: string) => new InputError(message, "run dbopt logs --help for the options");
  if (typeof value !== "string") throw fail(`${flag} needs a value`);
  if (value.trim() === "") throw fail(`${flag} needs a value, got an empty string`);
  try {
    return convert(value);
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    // "must be ..." reads best with the value after it; "is a folder" with the value before it.
    throw fail(
      error.message.startsWith("must ")
        ? `${flag} ${error.message}, got ${JSON.stringify(value)}`
        : `${flag} ${JSON.stringify(value)} ${error.message}`,
    );
  }
}

/** A file or a folder that exists and can be read, or - for standard input. */
function readablePath(text: string): string {
  if (text === "-") return text;
  try {
    statSync(text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Invalid(
      code === "ENOENT" || code === "ENOTDIR"
        ? "does not exist"
        : `cannot be read (${code === "EACCES" ? "permission denied" : code})`,
    );
  }
  try {
    accessSync(text, constants.R_OK);
  } catch {
    throw new Invalid("cannot be read (permission denied)");
  }
  return text;
}

function size(text: string): number {
  let bytes: number;
  try {
    bytes = parseSize(text, "");
  } catch {
    throw new Invalid("must be a size like 512MB or 16GB (units B, kB, MB, GB, TB)");
  }
  if (bytes < 1) throw new Invalid(`must be a size of at least ${formatBytes(1).replace(/\.0 /, "")}`);
  return bytes;
}
