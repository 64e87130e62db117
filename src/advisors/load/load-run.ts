/**
 * A load run over one or more threads: the clients are split between worker threads (load-worker.ts), each
 * running its share with runClients, and their histograms merged. One thread was not enough: on two busy cores
 * the driver's CPU per call decides its throughput, and each thread gets its own share of the CPU (pgbench -j 2
 * runs two threads too). The calls are encoded once here, in shared memory the workers read without a copy, and
 * the threads start their measured time together, once every thread's clients have connected: a thread's start-up
 * (its own V8 isolate, loading pg) is never inside another's measured time. This thread runs a share too.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { LatencyHistogram } from "./latency-histogram.js";
import {
  type ClientsResult,
  type ClientsSpec,
  driverSpec,
  type LoadProgress,
  PROGRESS_SLOTS,
  PROGRESS_STRIDE,
  progressOf,
  runClients,
} from "./load-driver.js";

const WORKER = new URL("./load-worker.js", import.meta.url);

export interface LoadRunOptions {
  threads: number;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
}

export interface LoadRunResult extends ClientsResult {
  /** Threads the clients ran in (1 when worker threads were not available: running from the sources). */
  threads: number;
}

/**
 * Every thread's progress slots, read by this thread's one timer (only when progress is wanted) and reported as
 * one: the sums, the longest elapsed time, warm-up while any thread is in it.
 */
function showProgress(
  slots: Float64Array,
  threads: number,
  onProgress: ((p: LoadProgress) => void) | undefined,
) {
  if (!onProgress) return () => {};
  const timer = setInterval(() => {
    const all = Array.from({ length: threads }, (_, i) =>
      progressOf(slots.subarray(i * PROGRESS_STRIDE, i * PROGRESS_STRIDE + PROGRESS_SLOTS)),
    );
    if (all.some((x) => x.phase === "connecting")) return;
    onProgress({
      phase: all.some((x) => x.phase === "warmup") ? "warmup" : "run",
      elapsedMs: Math.max(...all.map((x) => x.elapsedMs)),
      calls: all.reduce((a, x) => a + x.calls, 0),
      errors: all.reduce((a, x) => a + x.errors, 0),
    });
  }, 250);
  return () => clearInterval(timer);
}

export async function runLoad(spec: ClientsSpec, options: LoadRunOptions): Promise<LoadRunResult> {
  const threads = Math.max(1, Math.min(options.threads, spec.clients));
  const encoded = driverSpec(spec);
  // Running from TypeScript sources (tests), the compiled worker does not exist: the clients share this thread.
  if (threads === 1 || !existsSync(fileURLToPath(WORKER))) {
    const progress = new Float64Array(PROGRESS_SLOTS);
    const stopShowing = showProgress(progress, 1, options.onProgress);
    try {
      const result = await runClients(encoded, {
        stopped: () => options.signal?.aborted ?? false,
        progress,
      });
      return { ...result, threads: 1 };
    } finally {
      stopShowing();
    }
  }
  const progress = new Float64Array(new SharedArrayBuffer(8 * PROGRESS_STRIDE * threads));
  const slotsOf = (i: number) => progress.subarray(i * PROGRESS_STRIDE, i * PROGRESS_STRIDE + PROGRESS_SLOTS);
  const shares = Array.from({ length: threads }, (_, i) => ({
    clients: Math.floor(spec.clients / threads) + (i < spec.clients % threads ? 1 : 0),
    transactions:
      spec.transactions === null
        ? null
        : Math.floor(spec.transactions / threads) + (i < spec.transactions % threads ? 1 : 0),
  }));
  // This thread runs the first share and the workers the others: one isolate fewer than a worker per share, and
  // this thread would only wait.
  let first = shares[0]?.clients ?? 0;
  const workers = shares.slice(1).map((share, i) => {
    const worker = new Worker(WORKER, {
      workerData: {
        spec: { ...encoded, clients: share.clients, transactions: share.transactions, firstClient: first },
        progress: slotsOf(i + 1),
      },
    });
    first += share.clients;
    return worker;
  });
  let stopped = false;
  let ready = 0;
  let go: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    go = resolve;
  });
  // Every thread's clients are connected: all start measuring now.
  const oneReady = () => {
    if (++ready < shares.length) return;
    for (const w of workers) w.postMessage({ go: true });
    go();
  };
  const stop = () => {
    stopped = true;
    go();
    for (const w of workers) w.postMessage({ stop: true });
  };
  options.signal?.addEventListener("abort", stop, { once: true });
  const stopShowing = showProgress(progress, threads, options.onProgress);
  try {
    const results = await Promise.all([
      runClients(
        { ...encoded, clients: shares[0]?.clients ?? 0, transactions: shares[0]?.transactions ?? null },
        {
          stopped: () => stopped,
          progress: slotsOf(0),
          ready: () => {
            oneReady();
            return started;
          },
        },
      ),
      ...workers.map(
        (worker) =>
          new Promise<ClientsResult>((resolve, reject) => {
            worker.on("message", (m: { ready?: boolean; result?: ClientsResult }) => {
              if (m.ready) oneReady();
              if (m.result) resolve(m.result);
            });
            worker.on("error", reject);
            worker.on("exit", (code) => reject(new Error(`a load thread stopped with code ${code}`)));
          }),
      ),
    ]);
    return { ...mergeResults(results), threads };
  } catch (error) {
    // A thread failed: the others stop, and this thread's clients are not left waiting for the start.
    stop();
    throw error;
  } finally {
    stopShowing();
    options.signal?.removeEventListener("abort", stop);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** One result from the threads' results: histograms and errors added per statement, the longest elapsed time. */
export function mergeResults(results: ClientsResult[]): ClientsResult {
  const [head] = results;
  if (!head) return { elapsedMs: 0, statements: [], lostClients: [], cpuMs: 0 };
  return {
    elapsedMs: Math.max(...results.map((r) => r.elapsedMs)),
    // Each thread measured the whole process's CPU over its own measured time, and those times overlap.
    cpuMs: Math.max(...results.map((r) => r.cpuMs)),
    statements: head.statements.map((s, k) => {
      const h = new LatencyHistogram();
      let errors = 0;
      let firstError: string | null = null;
      for (const r of results) {
        const own = r.statements[k];
        if (!own) continue;
        h.merge(own.histogram);
        errors += own.errors;
        firstError ??= own.firstError;
      }
      return { id: s.id, histogram: h.state(), errors, firstError };
    }),
    lostClients: results.flatMap((r) => r.lostClients),
  };
}
