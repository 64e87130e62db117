import { writeFile } from "node:fs/promises";
import { rankFindings, SEVERITY_ORDER, type Severity } from "../findings/finding.js";
import type { Report } from "../reporters/database/database-json.js";
import { colourWanted } from "../reporters/terminal/palette.js";
import { InputError } from "../util/input-error.js";
import { EXIT } from "./exit-codes.js";
import { fileProblem } from "./file-problems.js";

export const FORMATS = ["terminal", "json", "markdown", "html"] as const;
export type Format = (typeof FORMATS)[number];

export interface OutputOptions {
  format?: string;
  color?: boolean;
  output?: string;
  failOn?: string;
}

export function checkFormat(format: string | undefined): Format {
  const f = format ?? "terminal";
  if (!FORMATS.includes(f as Format)) {
    throw new InputError(`unknown format ${f}`, `use one of ${FORMATS.join(", ")}`);
  }
  return f as Format;
}

/** Colour for a terminal report on a terminal, unless --no-color or -o FILE. */
export function wantColour(format: string, options: { color?: boolean; output?: string }): boolean {
  return format === "terminal" && options.color !== false && !options.output && colourWanted(process.stdout);
}

/** The report to -o FILE, else to standard output. */
export async function writeOutput(text: string, output: string | undefined): Promise<void> {
  if (!output) {
    process.stdout.write(text);
    return;
  }
  await writingTo(
    output,
    "the report",
    "choose another path with -o, or leave -o out to print the report",
    () => writeFile(output, text),
  );
}

/** Run a write of `what` to `path`; a file system error becomes one line that names the path and the reason. */
export async function writingTo<T>(
  path: string,
  what: string,
  hint: string,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!code || !/^E[A-Z]+$/.test(code)) throw error;
    throw new InputError(
      `cannot write ${what} to ${path}: ${code === "ENOENT" ? "its folder does not exist" : fileProblem(code)}`,
      hint,
      { cause: error },
    );
  }
}

/** Print (or write) a report in the chosen format; returns the exit code --fail-on asks for. */
export async function emitReport(report: Report, options: OutputOptions): Promise<number> {
  // Loaded when a report is written, not when the CLI starts.
  const [{ renderJson }, { renderMarkdown }, { renderTerminal }, { renderHtml }] = await Promise.all([
    import("../reporters/database/database-json.js"),
    import("../reporters/database/database-markdown.js"),
    import("../reporters/database/database-terminal.js"),
    import("../reporters/database/database-html.js"),
  ]);
  const format = checkFormat(options.format);
  const text =
    format === "json"
      ? renderJson(report)
      : format === "markdown"
        ? renderMarkdown(report)
        : format === "html"
          ? renderHtml(report)
          : renderTerminal(report, { colour: wantColour(format, options) });
  await writeOutput(text, options.output);
  if (report.kind === "tune" || report.kind === "advice") return EXIT.ok;
  return failOnCode(
    rankFindings(report.findings).map((f) => f.severity),
    options.failOn,
  );
}

/** The exit code --fail-on asks for, for reports that print their own findings (advise scaling, caching). */
export function findingsExitCode(
  findings: readonly { severity: Severity }[],
  failOn: string | undefined,
): number {
  return failOnCode(
    findings.map((f) => f.severity),
    failOn,
  );
}

function failOnCode(severities: Severity[], failOn: string | undefined): number {
  if (!failOn) return EXIT.ok;
  if (!(failOn in SEVERITY_ORDER))
    throw new InputError(`--fail-on ${failOn} is not a severity`, "use error, warning or info");
  const limit = SEVERITY_ORDER[failOn as Severity];
  return severities.some((s) => SEVERITY_ORDER[s] <= limit) ? EXIT.findings : EXIT.ok;
}
