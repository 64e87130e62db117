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

export async function runLoad(spec: ClientsSpec, options: LoadRunOptions): Promise<LoadRunResult> {
  const threads = Math.max(1, Math.min(options.threads, spec.clients));
  const encoded = driverSpec(spec);
  // Running from TypeScript sources (tests), the compiled worker does not exist: the clients share this thread.
  if (threads === 1 || !existsSync(fileURLToPath(WORKER))) {
    const result = await runClients(encoded, {
      stopped: () => options.signal?.aborted ?? false,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return { ...result, threads: 1 };
  }
  const shares = Array.from({ length: threads }, (_, i) => ({
    clients: Math.floor(spec.clients / threads) + (i < spec.clients % threads ? 1 : 0),
    transactions:
      spec.transactions === null
        ? null
        : Math.floor(spec.transactions / threads) + (i < spec.transactions % threads ? 1 : 0),
  }));
  const progress = shares.map((): LoadProgress | null => null);
  const report = (i: number, p: LoadProgress) => {
    progress[i] = p;
    const all = progress.filter((x): x is LoadProgress => x !== null);
    if (all.length === shares.length)
      options.onProgress?.({
        phase: all.some((x) => x.phase === "warmup") ? "warmup" : "run",
        elapsedMs: Math.max(...all.map((x) => x.elapsedMs)),
        calls: all.reduce((a, x) => a + x.calls, 0),
        errors: all.reduce((a, x) => a + x.errors, 0),
      });
  };
  // This thread runs the first share and the workers the others: one isolate fewer than a worker per share, and
  // this thread would only wait.
  let first = shares[0]?.clients ?? 0;
  const workers = shares.slice(1).map((share) => {
    const worker = new Worker(WORKER, {
      workerData: {
        ...encoded,
        clients: share.clients,
        transactions: share.transactions,
        firstClient: first,
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
  try {
    const results = await Promise.all([
      runClients(
        { ...encoded, clients: shares[0]?.clients ?? 0, transactions: shares[0]?.transactions ?? null },
        {
          stopped: () => stopped,
          onProgress: (p) => report(0, p),
          ready: () => {
            oneReady();
            return started;
          },
        },
      ),
      ...workers.map(
        (worker, i) =>
          new Promise<ClientsResult>((resolve, reject) => {
            worker.on(
              "message",
              (m: { ready?: boolean; progress?: LoadProgress; result?: ClientsResult }) => {
                if (m.ready) oneReady();
                if (m.progress) report(i + 1, m.progress);
                if (m.result) resolve(m.result);
              },
            );
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
    options.signal?.removeEventListener("abort", stop);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** One result from the threads' results: histograms and errors added per statement, the longest elapsed time. */
export function mergeResults(results: ClientsResult[]): ClientsResult {
  const [head] = results;
  if (!head) return { elapsedMs: 0, statements: [], lostClients: [] };
  return {
    elapsedMs: Math.max(...results.map((r) => r.elapsedMs)),
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
