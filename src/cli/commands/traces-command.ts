import type { Command } from "commander";
import { EXIT } from "../exit-codes.js";
import { parseOptions } from "../option-schemas.js";
import { wantColour, writeOutput } from "../output.js";

interface TracesFlags {
  top?: string;
  minRepeats?: string;
  format?: string;
  output?: string;
  color?: boolean;
}

export function registerTraces(program: Command, setExitCode: (code: number) => void): void {
  program
    .command("traces")
    .summary("N+1 query patterns, sequential and concurrent, from OpenTelemetry traces")
    .description(
      "Read OpenTelemetry OTLP/JSON trace files (one document or one per line; - for standard input), take the database spans (db.query.text or db.statement), and find N+1 patterns: under one parent span, a statement shape repeated after a source statement, whether the repeats ran one after another or concurrently (Promise.all). Also lists statements by total time.",
    )
    .argument("<files...>", "OTLP/JSON files, or - for standard input")
    .option("--top <n>", "statements to list, heaviest first", "15")
    .option("--min-repeats <n>", "repeats of one statement under one parent that make an N+1", "5")
    .option("--format <format>", "terminal, json or html", "terminal")
    .option("-o, --output <file>", "write the report to a file instead of standard output")
    .option("--no-color", "plain text even on a terminal")
    .option("--debug", "show stack traces and details of errors")
    .action(async (files: string[], flags: TracesFlags) => {
      const checked = await parseOptions("traces", { files, ...flags }, (k) => ({
        files: k.z.array(k.inputFile("a trace file", { stdin: true })),
        top: k.wholeNumber("--top", 1, 10_000),
        minRepeats: k.wholeNumber("--min-repeats", 2, 1_000_000),
        format: k.oneOf("--format", ["terminal", "json", "html"] as const),
        output: k.outputFile("--output").optional(),
      }));
      const { analyzeTraces } = await import("../../pipeline/analyze-traces.js");
      const { format, top } = checked;
      const report = await analyzeTraces(files, {
        minRepeats: checked.minRepeats,
        ...(format === "json" ? { top } : {}),
      });
      const colour = wantColour(format, flags);
      const text =
        format === "html"
          ? (await import("../../reporters/traces/trace-report-html.js")).renderTraceHtml(report, { top })
          : format === "json"
            ? (await import("../../reporters/traces/trace-report-json.js")).renderTraceJson(report)
            : (await import("../../reporters/traces/trace-report-terminal.js")).renderTraceTerminal(
                report,
                colour,
                top,
              );
      await writeOutput(text, flags.output);
      setExitCode(EXIT.ok);
    });
}
