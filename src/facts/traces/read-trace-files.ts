import { stat } from "node:fs/promises";
import { InputError } from "../../util/input-error.js";
import { openLog } from "../logs/read-logs.js";
import { readOtlpStream, type SpanIndex } from "./otlp-spans.js";

/** Every span of OTLP/JSON trace files ("-" is standard input), compressed or not, into one index. */
export async function readTraceFiles(paths: string[]): Promise<SpanIndex> {
  const index: SpanIndex = { spans: 0, traces: new Set(), names: new Map(), db: [] };
  for (const path of paths) {
    const name = path === "-" ? "standard input" : path;
    if (path !== "-" && !(await stat(path).catch(() => null)))
      throw new InputError(`${path} does not exist`, "give the path of an OTLP/JSON traces file");
    const input = await openLog(path);
    if ("setEncoding" in input) input.setEncoding("utf8");
    await readOtlpStream(name, input as AsyncIterable<string> | Iterable<string>, index);
  }
  return index;
}
