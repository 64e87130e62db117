/** Worker thread of `dbopt logs`: reads one byte range of a log file and sends back what it found. */
import { parentPort, workerData } from "node:worker_threads";
import { LogAnalysis, type LogFilter } from "../facts/logs/log-analysis.js";
import { fileChunks, type LogFormat, readLog } from "../facts/logs/read-logs.js";
import { InputError } from "../util/input-error.js";
import { loadSqlParser } from "../util/sql-parser.js";

export interface LogPartTask {
  path: string;
  start: number;
  end: number;
  format: LogFormat;
  prefix: string | null;
  minRepeats: number;
  maxGapMs: number;
  filter: LogFilter | null;
}

const PROGRESS_EVERY = 4 << 20;

const task = workerData as LogPartTask;
// The main thread compiles the parser's WebAssembly while this thread loads its modules; V8 shares the compiled
// module with this thread, which loads the parser in a few milliseconds once told that the compile is done.
await new Promise((resolve) => parentPort?.once("message", resolve));
await loadSqlParser();
const analysis = new LogAnalysis(
  { minRepeats: task.minRepeats, maxGapMs: task.maxGapMs, filter: task.filter },
  true,
);
try {
  let unreported = 0;
  const stats = await readLog(
    task.path,
    fileChunks(task.path, task.start, task.end),
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
  parentPort?.postMessage({ bytes: unreported, stats, state: analysis.state() });
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
