/**
 * Every command's options (and file arguments) are checked by one zod schema before the command does any
 * work: before it connects, reads its input or starts a server. A bad value gives one line that names the
 * option, what it accepts and what it got, and exit code 2.
 *
 * zod is loaded when a command runs, not when the CLI starts (`dbopt --help` stays fast).
 */
import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type * as Z from "zod";
import { formatBytes } from "../util/format.js";
import { InputError } from "../util/input-error.js";
import { withoutSecrets } from "../util/secret-text.js";
import { parseDuration } from "./durations.js";
import { inputPathProblem } from "./file-problems.js";
import { parseSize } from "./parse-size.js";

type Zod = typeof Z;
/** An option's value as commander gives it (a string, strings, a boolean, or nothing) → its checked value. */
type Check<T> = Z.ZodType<T, unknown>;

/** The checks a command's schema is built from; each names its flag in its message. */
export interface OptionKit {
  z: Zod;
  /** A whole number in [min, max]. */
  wholeNumber(flag: string, min: number, max: number): Check<number>;
  /** "5%", "5" or "0.5%" → 0.05; within [0%, 100%]. */
  percentage(flag: string): Check<number>;
  /** "500MB", "16GB" → bytes, at least `min` bytes. */
  size(flag: string, min?: number): Check<number>;
  /** "30s", "500ms", "2min" → milliseconds, more than zero. */
  duration(flag: string): Check<number>;
  /** One of the listed words. */
  oneOf<const V extends string>(flag: string, values: readonly V[]): Check<V>;
  /** Any text that is not empty. */
  text(flag: string): Check<string>;
  /** A file that exists and is not a folder (`-` for standard input when allowed). */
  inputFile(flag: string, options?: { stdin?: boolean }): Check<string>;
  /** A plan file that exists, `-` for standard input, or FILE:N for plan N of a file (1 is the first). */
  planFile(flag: string): Check<{ path: string; index?: number }>;
  /** A file or a folder that exists (`-` for standard input when allowed). */
  inputPath(flag: string, options?: { stdin?: boolean }): Check<string>;
  /** A file that can be written: not a folder, in a folder that exists and can be written to. */
  outputFile(flag: string): Check<string>;
  /** A PostgreSQL URL. */
  postgresUrl(flag: string): Check<string>;
  /** A PostgreSQL URL, or a mysql:// or mariadb:// one for the commands that also run on MySQL/MariaDB. */
  databaseUrl(flag: string): Check<string>;
  /** A time like 2026-11-26T14:00 (UTC unless it names a zone) → epoch milliseconds. */
  instant(flag: string): Check<number>;
  /** rule-id.option=number assignments (checked against the rules later, when they are loaded). */
  ruleAssignments(flag: string): Check<string[]>;
  /** table=N assignments → { table: N }. */
  tableRows(flag: string): Check<Record<string, number>>;
  /** A comma-separated list of names, none empty. */
  nameList(flag: string): Check<string[]>;
}

/** Thrown by a conversion: the message after "<flag> must be", e.g. "a whole number from 1 to 1000". */
export class Invalid extends Error {}

/** The value as the error line quotes it: a URL given in the wrong place keeps its password to itself. */
function shown(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(withoutSecrets(value)) : String(value);
}

/**
 * The plain conversions of text to a value, which throw Invalid: the kit below wraps them in zod, and commands that
 * check their options without zod (logs) call them through `convertedOption`, so both give the same messages.
 */
export const wholeNumberFrom =
  (min: number, max: number) =>
  (text: string): number => {
    const n = /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new Invalid(`must be a whole number from ${min} to ${max}`);
    return n;
  };

/** A file (or, with `folders`, a folder) that exists and can be read; `-` for standard input with `stdin`. */
export const existingPath =
  (stdin: boolean, folders: boolean) =>
  (text: string): string => {
    if (stdin && text === "-") return text;
    const problem = inputPathProblem(text, folders);
    if (problem) throw new Invalid(problem);
    return text;
  };

const MAX_SIZE = 1024 ** 5;

export const sizeAtLeast =
  (flag: string, min: number) =>
  (text: string): number => {
    let bytes: number;
    try {
      bytes = parseSize(text, flag);
    } catch {
      throw new Invalid("must be a size like 512MB or 16GB (units B, kB, MB, GB, TB)");
    }
    if (bytes < min) throw new Invalid(`must be a size of at least ${formatBytes(min).replace(/\.0 /, "")}`);
    // No machine, index budget or log file comes near a petabyte: a larger figure is a typo, not a setting.
    if (bytes > MAX_SIZE) throw new Invalid("must be a size of at most 1024TB");
    return bytes;
  };

export const oneOfWords =
  <const V extends string>(values: readonly V[]) =>
  (text: string): V => {
    if (!values.includes(text as V)) throw new Invalid(`must be one of ${values.join(", ")}`);
    return text as V;
  };

export function instantFrom(text: string): number {
  const ms = parseInstant(text);
  if (ms === null) throw new Invalid("must be a time like 2026-11-26T14:00 or 2026-11-26 14:00+01");
  return ms;
}

/** The one line for a value an option cannot take, or null when `convert` takes it (its result in `out`). */
function optionProblem<T>(
  flag: string,
  value: unknown,
  convert: (text: string) => T,
  out: { value?: T },
): string | null {
  if (typeof value !== "string") return `${flag} needs a value`;
  if (value.trim() === "") return `${flag} needs a value, got an empty string`;
  try {
    out.value = convert(value);
    return null;
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    // "must be ..." reads best with the value after it; "is a folder" with the value before it.
    return error.message.startsWith("must ")
      ? `${flag} ${error.message}, got ${shown(value)}`
      : `${flag} ${shown(value)} ${error.message}`;
  }
}

/** An option converted without zod: its value, or an InputError with the kit's one line and `hint`. */
export function convertedOption<T>(
  flag: string,
  value: unknown,
  convert: (text: string) => T,
  hint: string,
): T {
  const out: { value?: T } = {};
  const problem = optionProblem(flag, value, convert, out);
  if (problem !== null) throw new InputError(problem, hint);
  return out.value as T;
}

function kitFor(z: Zod): OptionKit {
  /** A string option converted by `convert`, which throws Invalid("what it must be") when it cannot. */
  const converted = <T>(flag: string, convert: (text: string) => T): Check<T> =>
    z.unknown().transform((value, ctx) => {
      const out: { value?: T } = {};
      const message = optionProblem(flag, value, convert, out);
      if (message === null) return out.value as T;
      ctx.issues.push({ code: "custom", message, input: value });
      return z.NEVER;
    }) as unknown as Check<T>;

  const wholeNumber = (flag: string, min: number, max: number) => converted(flag, wholeNumberFrom(min, max));

  const existing = (flag: string, stdin: boolean, folders: boolean) =>
    converted(flag, existingPath(stdin, folders));

  return {
    z,
    wholeNumber,
    percentage: (flag) =>
      converted(flag, (text) => {
        const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
        const n = m ? Number(m[1]) : Number.NaN;
        if (!(n >= 0 && n <= 100)) throw new Invalid("must be a percentage from 0% to 100%, like 5%");
        return n / 100;
      }),
    size: (flag, min = 1) => converted(flag, sizeAtLeast(flag, min)),
    duration: (flag) =>
      converted(flag, (text) => {
        let ms: number;
        try {
          ms = parseDuration(text, flag);
        } catch {
          throw new Invalid("must be a duration like 30s, 500ms or 2min");
        }
        if (ms < 1) throw new Invalid("must be a duration of at least 1ms, like 30s");
        if (ms > 2_147_483_647) throw new Invalid("must be a duration under 24 days");
        return ms;
      }),
    oneOf: <const V extends string>(flag: string, values: readonly V[]) =>
      converted(flag, oneOfWords(values)),
    text: (flag) => converted(flag, (text) => text),
    inputFile: (flag, options) => existing(flag, options?.stdin ?? false, false),
    inputPath: (flag, options) => existing(flag, options?.stdin ?? false, true),
    planFile: (flag) =>
      converted(flag, (text) => {
        if (text === "-") return { path: text };
        const whole = inputPathProblem(text, false);
        if (!whole) return { path: text };
        // "after.txt:2" is plan 2 of after.txt, unless a file has that very name.
        const m = /^(.+):(\d+)$/.exec(text);
        if (m?.[1] && (m[1] === "-" || !inputPathProblem(m[1], false))) {
          const index = Number(m[2]);
          if (!Number.isSafeInteger(index) || index < 1)
            throw new Invalid("must name a plan from 1 after the colon, like after.txt:2");
          return { path: m[1], index };
        }
        throw new Invalid(whole);
      }),
    outputFile: (flag) =>
      converted(flag, (text) => {
        const problem = outputProblem(text);
        if (problem) throw new Invalid(`cannot be written: ${problem}`);
        return text;
      }),
    postgresUrl: (flag) =>
      converted(flag, (text) => {
        if (!/^postgres(ql)?:\/\/./i.test(text.trim()))
          throw new Invalid("must be a PostgreSQL URL like postgresql://user@host:5432/dbname");
        return text.trim();
      }),
    databaseUrl: (flag) =>
      converted(flag, (text) => {
        if (!/^(postgres(ql)?|mysql|mariadb):\/\/./i.test(text.trim()))
          throw new Invalid(
            "must be a database URL like postgresql://user@host:5432/dbname or mysql://user@host:3306/dbname",
          );
        return text.trim();
      }),
    instant: (flag) => converted(flag, instantFrom),
    ruleAssignments: (flag) =>
      z.array(
        converted(flag, (text) => {
          if (!/^[a-z-]+\/[a-z0-9-]+\.[A-Za-z]+=-?\d+(?:\.\d+)?$/.test(text))
            throw new Invalid("must be rule-id.option=number, like health/unused-index.minStatsDays=1");
          return text;
        }),
      ) as unknown as Check<string[]>,
    tableRows: (flag) =>
      z
        .array(
          converted(flag, (text) => {
            const m = /^([\w.]+)=(\d+)$/.exec(text.trim());
            const n = m ? Number(m[2]) : Number.NaN;
            if (!m?.[1] || !Number.isSafeInteger(n) || n < 0 || n > 1_000_000_000)
              throw new Invalid("must be table=N with N from 0 to 1000000000, like orders=100000");
            return [m[1], n] as const;
          }),
        )
        .transform((pairs) => Object.fromEntries(pairs)) as unknown as Check<Record<string, number>>,
    nameList: (flag) =>
      converted(flag, (text) => {
        const names = text.split(",").map((t) => t.trim());
        if (names.some((n) => n === ""))
          throw new Invalid("must be names separated by commas, like orders,customers");
        return names;
      }),
  };
}

/** Why a report cannot be written to `path`, or null when it can. Checked before the work, so no run is lost to a typo. */
export function outputProblem(path: string): string | null {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return "it is a folder; name a file in it";
    accessSync(path, constants.W_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM" || code === "EROFS")
      return code === "EROFS" ? "read-only file system" : "permission denied";
    if (code !== "ENOENT" && code !== "ENOTDIR") return code ?? "unknown error";
  }
  const folder = dirname(resolve(path));
  try {
    if (!statSync(folder).isDirectory()) return `${folder} is not a folder`;
  } catch {
    return `the folder ${folder} does not exist`;
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `the folder ${folder} cannot be written to (${code === "EROFS" ? "read-only file system" : "permission denied"})`;
  }
  return null;
}

/** An ISO-like time; without a zone it is UTC, as the log's own times are compared in UTC. */
export function parseInstant(text: string): number | null {
  const t = text.trim().replace(" ", "T");
  if (!/^\d{4}-\d\d-\d\d/.test(t)) return null;
  const zoned = /(Z|[+-]\d\d(:?\d\d)?)$/.test(t) || !/T/.test(t) ? t : `${t}Z`;
  const ms = Date.parse(/^\d{4}-\d\d-\d\d$/.test(t) ? `${t}T00:00Z` : zoned);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Check a command's options (and arguments, passed in the same object) with the schema `build` makes;
 * the first problem becomes an InputError (exit 2) that points at the command's --help.
 */
export async function parseOptions<S extends Record<string, Z.ZodType>>(
  command: string,
  values: Record<string, unknown>,
  build: (kit: OptionKit) => S,
): Promise<Z.output<Z.ZodObject<S>>> {
  const z = await import("zod");
  const schema = z.object(build(kitFor(z)));
  const result = schema.safeParse(values);
  if (result.success) {
    refuseHtmlOnTerminal(result.data as { format?: unknown; output?: unknown });
    return result.data;
  }
  const issue = result.error.issues[0];
  // A message that names its option ("--verify takes a redis:// URL") is whole; zod's own ones get the option's key.
  const message =
    issue?.code === "custom" || issue?.message.startsWith("--")
      ? issue.message
      : `${String(issue?.path.join(".") ?? "")} ${issue?.message}`;
  throw new InputError(message, `run dbopt ${command} --help for the options`);
}

/** An HTML report is a file to open in a browser or attach: printed on a terminal it is only noise. */
function refuseHtmlOnTerminal(checked: { format?: unknown; output?: unknown }): void {
  if (checked.format === "html" && !checked.output && process.stdout.isTTY)
    throw new InputError(
      "--format html writes a web page, not text for the terminal",
      "add -o report.html (or send standard output to a file), then open it in a browser",
    );
}

const SEVERITIES = ["error", "warning", "info"] as const;

/** --db, --statement-timeout, --lock-timeout; `mysql` for the commands that take mysql:// and mariadb:// too. */
export function connectionChecks(k: OptionKit, engines: { mysql?: boolean } = {}) {
  return {
    db: (engines.mysql ? k.databaseUrl("--db") : k.postgresUrl("--db")).optional(),
    statementTimeout: k.duration("--statement-timeout").optional(),
    lockTimeout: k.duration("--lock-timeout").optional(),
  };
}

/** --format (one of `formats`), -o/--output, --fail-on. */
export function outputChecks<const F extends string>(k: OptionKit, formats: readonly F[]) {
  return {
    format: k.oneOf("--format", formats).optional(),
    output: k.outputFile("--output").optional(),
    failOn: k.oneOf("--fail-on", SEVERITIES).optional(),
  };
}

/** --ram, --cpus, --storage, --set (analyze and check). */
export function machineChecks(k: OptionKit) {
  return {
    ram: k.size("--ram", 64 * 1024 ** 2).optional(),
    cpus: k.wholeNumber("--cpus", 1, 4096).optional(),
    storage: k.oneOf("--storage", ["ssd", "hdd", "san"]).optional(),
    set: k.ruleAssignments("--set").optional(),
  };
}

const DAY_MS = 86_400_000;

/** "30d", "2w", "48h" → milliseconds; whole days at least, as the store drops whole days of samples. */
function parseRetention(text: string): number | null {
  const m = /^\s*(\d+)\s*(d|days?|w|weeks?|h|hours?)\s*$/i.exec(text);
  if (!m) return null;
  const unit = (m[2] ?? "d").toLowerCase()[0];
  const ms = Number(m[1]) * (unit === "w" ? 7 * DAY_MS : unit === "h" ? 3_600_000 : DAY_MS);
  return ms >= DAY_MS && ms <= 36_500 * DAY_MS ? ms : null;
}

/** dbopt collect: --db (repeatable), --store, --every, --once, --keep, --plans and the connection timeouts. */
export function collectChecks(k: OptionKit) {
  const { z } = k;
  return {
    db: z.array(k.postgresUrl("--db")).optional(),
    store: k.postgresUrl("--store").optional(),
    every: k.duration("--every"),
    once: z.boolean().optional(),
    keep: z
      .string()
      .optional()
      .transform((text, ctx) => {
        if (text === undefined) return undefined;
        const ms = parseRetention(text);
        if (ms === null) {
          ctx.issues.push({
            code: "custom",
            message: `--keep must be a period of at least one day, like 30d, 2w or 48h, got ${JSON.stringify(text)}`,
            input: text,
          });
          return z.NEVER;
        }
        return ms;
      }),
    plans: k.wholeNumber("--plans", 0, 1000),
    statementTimeout: k.duration("--statement-timeout").optional(),
    lockTimeout: k.duration("--lock-timeout").optional(),
  };
}

/** "30min", "1h", "7d", "2w" → milliseconds; null when it is not a period. */
export function parsePeriod(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hours?|d|days?|w|weeks?)\s*$/i.exec(text);
  if (!m) return null;
  const unit = (m[2] ?? "").toLowerCase();
  const factor = unit.startsWith("w")
    ? 7 * DAY_MS
    : unit.startsWith("d")
      ? DAY_MS
      : unit.startsWith("h")
        ? 3_600_000
        : unit === "s" || unit === "sec"
          ? 1000
          : 60_000;
  const ms = Number(m[1]) * factor;
  return ms > 0 ? ms : null;
}

/** dbopt regressions: --store, --db or --target, --since (a period or a time), --baseline, output and --fail-on. */
export function regressionsChecks(k: OptionKit) {
  const { z } = k;
  const period = (flag: string, allowInstant: boolean) =>
    z.string().transform((text, ctx) => {
      const ms = parsePeriod(text);
      if (ms !== null) return { periodMs: ms };
      const at = allowInstant ? parseInstant(text) : null;
      if (at !== null) return { from: new Date(at) };
      ctx.issues.push({
        code: "custom",
        message: `${flag} must be a period like 30min, 1h or 7d${allowInstant ? ", or a time like 2026-11-26T14:00" : ""}, got ${JSON.stringify(text)}`,
        input: text,
      });
      return z.NEVER;
    });
  return {
    store: k.postgresUrl("--store").optional(),
    db: k.postgresUrl("--db").optional(),
    target: k.text("--target").optional(),
    since: period("--since", true),
    baseline: period("--baseline", false).transform((p) => ("periodMs" in p ? p.periodMs : 0)),
    ...outputChecks(k, ["terminal", "json", "markdown", "html"] as const),
    color: z.boolean().optional(),
  };
}

/** dbopt serve: --store, --host, --port and --token. */
export function serveChecks(k: OptionKit) {
  return {
    store: k.postgresUrl("--store").optional(),
    host: k.text("--host"),
    port: k.wholeNumber("--port", 0, 65_535),
    token: k.text("--token").optional(),
  };
}
