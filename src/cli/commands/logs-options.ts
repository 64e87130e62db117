/**
 * The logs command's options, checked without zod: loading zod (95 modules with its locales) cost dbopt logs a
 * tenth of its start-up, where pgBadger's whole start-up is a quarter of a second. The checks and their one-line
 * messages are those of option-schemas.ts's kit (cli-options.test.ts holds both to them), in the schema's order:
 * the first problem is the one reported.
 */
import { LOG_FORMATS, type LogFormat } from "../../facts/logs/log-formats.js";
import { InputError } from "../../util/input-error.js";
import {
  convertedOption,
  existingPath,
  Invalid,
  instantFrom,
  oneOfWords,
  outputProblem,
  sizeAtLeast,
  wholeNumberFrom,
} from "../option-schemas.js";

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

export function checkLogsOptions(files: string[], flags: LogsFlags): LogsOptions {
  const converted = <T>(flag: string, value: unknown, convert: (text: string) => T): T =>
    convertedOption(flag, value, convert, "run dbopt logs --help for the options");
  const optional = <T>(flag: string, value: unknown, convert: (text: string) => T): T | undefined =>
    value === undefined ? undefined : converted(flag, value, convert);
  const text = (t: string) => t;
  const checked: LogsOptions = {
    files: files.map((f) => converted("a log file", f, existingPath(true, true))),
    prefix: optional("--prefix", flags.prefix, text),
    logFormat: optional("--log-format", flags.logFormat, oneOfWords(LOG_FORMATS)),
    top: converted("--top", flags.top, wholeNumberFrom(1, 10_000)),
    minRepeats: converted("--min-repeats", flags.minRepeats, wholeNumberFrom(2, 1_000_000)),
    jobs: optional("--jobs", flags.jobs, wholeNumberFrom(1, 256)),
    splitFrom: converted("--split-from", flags.splitFrom, sizeAtLeast("--split-from", 1)),
    since: optional("--since", flags.since, instantFrom),
    until: optional("--until", flags.until, instantFrom),
    database: optional("--database", flags.database, text),
    user: optional("--user", flags.user, text),
    application: optional("--application", flags.application, text),
    format: converted("--format", flags.format, oneOfWords(["terminal", "json", "html"] as const)),
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
