/** Worker thread of `dbopt logs`: reads one byte range of a log file and sends back what it found. */
import { parentPort, workerData } from "node:worker_threads";
import { LogAnalysis, type LogFilter } from "../facts/logs/log-analysis.js";
import { fileChunks, type LogFormat, readLog } from "../facts/logs/read-logs.js";
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
await loadSqlParser();
const analysis = new LogAnalysis(
  { minRepeats: task.minRepeats, maxGapMs: task.maxGapMs, filter: task.filter },
  true,
);
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
parentPort?.postMessage({ bytes: unreported, records: stats.records, state: analysis.state() });
