/** Worker thread of `dbopt logs`: reads byte ranges of a log file, one at a time as the main thread hands them
 * out, and sends back what it found in each. */
import { parentPort, workerData } from "node:worker_threads";
import { FileBytes } from "../facts/logs/file-bytes.js";
import { Fingerprinter } from "../facts/logs/fingerprinter.js";
import { LogAnalysis, type LogFilter } from "../facts/logs/log-analysis.js";
import { loadLogSqlParser } from "../facts/logs/log-sql-parser.js";
import { type LogFormat, readLog } from "../facts/logs/read-logs.js";
import { InputError } from "../util/input-error.js";

/** What every range of one file shares. */
export interface LogPartTask {
  path: string;
  format: LogFormat;
  prefix: string | null;
  minRepeats: number;
  maxGapMs: number;
  filter: LogFilter | null;
}

/** A byte range to read, the index-th of the file; the main thread sends one at a time, then null. */
export interface LogPartRange {
  index: number;
  start: number;
  end: number;
}

const PROGRESS_EVERY = 4 << 20;

const task = workerData as LogPartTask;
const next = () => new Promise<LogPartRange | null>((resolve) => parentPort?.once("message", resolve));
// The first range comes once the main thread has compiled the parser's WebAssembly, which V8 shares with this
// thread: loading it is then a matter of milliseconds.
let range = await next();
try {
  if (range) await loadLogSqlParser();
  // One cache of fingerprints for every range this thread reads.
  const fingerprints = new Fingerprinter();
  for (; range; range = await next()) {
    const analysis = new LogAnalysis(
      { minRepeats: task.minRepeats, maxGapMs: task.maxGapMs, filter: task.filter },
      true,
      fingerprints,
    );
    let unreported = 0;
    const stats = await readLog(
      task.path,
      new FileBytes(task.path, range.start, range.end),
      (r) => analysis.record(r),
      {
        format: task.format,
        ...(task.prefix !== null ? { prefix: task.prefix } : {}),
        onBytes: (n) => {
          unreported += n;
          if (unreported >= PROGRESS_EVERY) {
            parentPort?.postMessage({ bytes: unreported });
            unreported = 0;
          }
        },
      },
    );
    analysis.flush();
    parentPort?.postMessage({ bytes: unreported, index: range.index, stats, state: analysis.state() });
  }
} catch (error) {
  // An Error loses its class between threads: send what the main thread needs to say it in one line.
  parentPort?.postMessage({
    bytes: 0,
    error: {
      message: error instanceof Error ? error.message : String(error),
      hint: error instanceof InputError ? error.hint : null,
    },
  });
}
