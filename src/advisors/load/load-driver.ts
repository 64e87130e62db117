/**
 * Clients that replay statements as fast as the server answers, like pgbench: each its own connection, each loop
 * picks a statement by weight, binds one of its drawn parameter sets and runs it (extended protocol, prepared once
 * per connection, or the simple protocol with the values inlined), and records the latency in a histogram. Every
 * statement is its own transaction. The messages of every call are built before the run (call-messages.ts) and
 * sent on a socket taken over from `pg` (wire-session.ts). The spec is plain data (the messages in shared memory),
 * so the same function runs in worker threads (load-run.ts).
 */
// Imported, not the global: globalThis.performance is a getter in Node (loaded on first use), called on every
// read of it, and the call path reads the clock once per call.
import { performance } from "node:perf_hooks";
import type pg from "pg";
import { DBOPT_TAG } from "../../connectors/postgres/postgres-connector.js";
import { seededRandom } from "../../util/seeded-random.js";
import { buildCallMessages, type CallMessages, type Protocol } from "./call-messages.js";
import { type HistogramState, LatencyHistogram } from "./latency-histogram.js";
import { WireSession } from "./wire-session.js";

export type { Protocol } from "./call-messages.js";

export interface LoadStatementSpec {
  id: string;
  /** The statement with $n, as prepared. */
  sql: string;
  weight: number;
  /** Bind values per drawn set (prepared); empty when it takes no parameters. */
  values: Array<Array<string | null>>;
  /** The statement with each set's literals inlined (simple protocol); [sql] when it takes none. */
  inlined: string[];
}

export interface ClientsSpec {
  connection: pg.ClientConfig;
  statements: LoadStatementSpec[];
  clients: number;
  /** Index of the first client (its seed and its prepared statements' names). */
  firstClient: number;
  protocol: Protocol;
  /** Measure for this long after the warm-up; null: until `transactions` are done. */
  durationMs: number | null;
  /** Stop after this many measured calls (these clients together); null: until the duration ends. */
  transactions: number | null;
  warmupMs: number;
  /** Sessions refuse writes (every database not marked --sandbox). */
  readOnly: boolean;
  statementTimeoutMs: number;
  seed: number;
}

export interface StatementOutcome {
  id: string;
  histogram: HistogramState;
  errors: number;
  firstError: string | null;
}

export interface ClientsResult {
  /** From the end of the warm-up to the last client's last answer. */
  elapsedMs: number;
  statements: StatementOutcome[];
  /** Clients whose connection broke or never opened, with why. */
  lostClients: string[];
  /**
   * CPU time of the whole process (every thread, user + system) over this thread's measured time, in ms: the
   * driver's cost, which on a busy machine is taken from the server's share. Threads run together, so their
   * results merge by the largest.
   */
  cpuMs: number;
}

export interface LoadProgress {
  phase: "warmup" | "run";
  /** Since the start of the phase. */
  elapsedMs: number;
  calls: number;
  errors: number;
}

/** What runClients runs: the statements' calls already encoded, which worker threads share without a copy. */
export interface DriverSpec extends Omit<ClientsSpec, "statements"> {
  statements: Array<{ id: string; weight: number; messages: CallMessages }>;
}

export function driverSpec(spec: ClientsSpec): DriverSpec {
  return {
    ...spec,
    statements: spec.statements.map((s, k) => ({
      id: s.id,
      weight: s.weight,
      messages: buildCallMessages(s, k, spec.protocol),
    })),
  };
}

/**
 * Where a thread publishes its progress, read by the thread that shows it (load-run.ts's timer): written on the
 * call path, so no thread runs a timer of its own (a pending timer makes every wait for the sockets arm one in the
 * kernel). A slice of a Float64Array, shared between threads: PROGRESS_SLOTS numbers per thread.
 */
export const PROGRESS_SLOTS = 4;
/**
 * Where each thread's slots start in the shared array: 8 numbers, one 64-byte cache line per thread. Every call
 * writes its thread's count; threads whose slots shared a line would take that line from each other's core on
 * every call.
 */
export const PROGRESS_STRIDE = 8;
/** Slot 0: 0 connecting, 1 warm-up, 2 measured run. */
export const PHASE = 0;
/** Slot 1: when the phase began, ms since the epoch (threads' performance clocks have their own origins). */
export const PHASE_START = 1;
/** Slot 2: calls answered in the phase; slot 3: errors of the measured run. */
export const CALLS = 2;
export const ERRORS = 3;

/** A thread's progress as its slots hold it; "connecting" until its clients are connected and it has started. */
export function progressOf(
  slots: Float64Array,
  now: number = performance.timeOrigin + performance.now(),
): Omit<LoadProgress, "phase"> & { phase: LoadProgress["phase"] | "connecting" } {
  const phase = slots[PHASE] as number;
  return {
    phase: phase === 2 ? "run" : phase === 1 ? "warmup" : "connecting",
    elapsedMs: phase === 0 ? 0 : Math.max(0, now - (slots[PHASE_START] as number)),
    calls: slots[CALLS] as number,
    errors: slots[ERRORS] as number,
  };
}

export interface ClientsControl {
  stopped: () => boolean;
  /** This thread's progress (PROGRESS_SLOTS numbers), kept up to date for whoever shows it. */
  progress?: Float64Array;
  /**
   * Called once every client has connected; the run starts when it resolves. Worker threads wait here for each
   * other, so that no thread's start-up falls in another's measured time.
   */
  ready?: () => Promise<void>;
}

/** The SQL that sets a client's session up before the run. */
function sessionSetup(spec: DriverSpec): string {
  return [
    `SET statement_timeout = ${Math.round(spec.statementTimeoutMs)}`,
    "SET idle_in_transaction_session_timeout = 60000",
    ...(spec.readOnly ? ["SET default_transaction_read_only = on"] : []),
  ]
    .map((s) => `${s} ${DBOPT_TAG};`)
    .join(" ");
}

export async function runClients(
  spec: DriverSpec,
  control: ClientsControl = { stopped: () => false },
): Promise<ClientsResult> {
  const cumulative: number[] = [];
  let total = 0;
  for (const s of spec.statements) {
    total += Math.max(0, s.weight);
    cumulative.push(total);
  }
  const last = cumulative.length - 1;
  const parses = spec.statements.map((s) => Buffer.from(s.messages.parse));
  // Each statement's calls stay one shared block with its offsets: a call is written as a range of it, with no
  // object per call (a Buffer view per drawn set was 100,000 objects per thread to keep and to reach at random).
  const blocks = spec.statements.map((s) => s.messages.bytes);
  const offsets = spec.statements.map((s) => s.messages.offsets);
  // The warm-up's latencies are recorded too, into the same histograms, emptied when the run begins: the call
  // path is then the same code in both phases. When the run began by taking branches the warm-up never took
  // (record only when measuring), V8 threw away the code it had optimised during the warm-up (a branch without
  // type feedback deoptimises it), and at a few thousand calls a second the run's first seconds ran unoptimised
  // until V8 had seen enough calls to optimise it again (--trace-deopt --trace-opt on range sums, 8 clients in 2
  // threads). Histograms of their own for the warm-up did the same: their objects' fields changed representation
  // (integer to double) in the warm-up, and the run's, still on the old shape, failed the optimised code's check.
  const histograms = spec.statements.map(() => new LatencyHistogram());
  const errors = spec.statements.map(() => 0);
  const firstErrors: Array<string | null> = spec.statements.map(() => null);
  const lostClients: string[] = [];
  const progress = control.progress ?? new Float64Array(PROGRESS_SLOTS);
  const { durationMs, transactions, warmupMs } = spec;
  /** 0 before the start, 1 warm-up, 2 measured run (as in the progress slots). */
  let phase = 0;
  let measuring = false;
  // What the call path compares with, set per phase: when to stop, after how many calls.
  let stopAt = Number.POSITIVE_INFINITY;
  let callLimit = Number.POSITIVE_INFINITY;
  let measureFrom = 0;
  let startedCalls = 0;
  let lastAnswer = 0;
  let cpuFrom = process.cpuUsage();

  const enterPhase = (run: boolean, now: number): void => {
    measuring = run;
    phase = run ? 2 : 1;
    if (run) for (const h of histograms) h.reset();
    stopAt = run && durationMs !== null ? now + durationMs : Number.POSITIVE_INFINITY;
    callLimit = run && transactions !== null ? transactions : Number.POSITIVE_INFINITY;
    measureFrom = now;
    lastAnswer = now;
    startedCalls = 0;
    cpuFrom = process.cpuUsage();
    progress[PHASE] = phase;
    progress[PHASE_START] = performance.timeOrigin + now;
    progress[CALLS] = 0;
  };

  const connect = async (n: number): Promise<WireSession | null> => {
    try {
      return await WireSession.open(spec.connection, sessionSetup(spec));
    } catch (error) {
      lostClients.push(`client ${n + 1}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  };

  // Callbacks, not a loop of awaits: the next call is written from the read that found the answer's
  // ReadyForQuery, with no promise or closure made per call, and one clock read per call (an answer's time is
  // the next call's start).
  const client = (n: number, session: WireSession): Promise<void> =>
    new Promise<void>((finish) => {
      const random = seededRandom(spec.seed * 1000 + n);
      const parsed = spec.statements.map(() => spec.protocol !== "prepared");
      let k = 0;
      let callPhase = 0;
      let t0 = 0;
      const next = (now: number): void => {
        if (control.stopped() || now >= stopAt || startedCalls >= callLimit) {
          finish();
          return;
        }
        k = 0;
        if (last > 0) {
          const u = random() * total;
          let hi = last;
          while (k < hi) {
            const mid = (k + hi) >> 1;
            if ((cumulative[mid] as number) > u) hi = mid;
            else k = mid + 1;
          }
        }
        const at = offsets[k] as Int32Array;
        const i = (random() * (at.length - 1)) | 0;
        const block = blocks[k] as Uint8Array;
        callPhase = phase;
        startedCalls++;
        t0 = now;
        if (parsed[k]) session.send(block, at[i] as number, at[i + 1] as number, answered);
        else {
          // The first call of a statement on this connection prepares it in the same write.
          const first = Buffer.concat([parses[k] as Buffer, block.subarray(at[i], at[i + 1])]);
          session.send(first, 0, first.length, answered);
        }
      };
      const answered = (error: string | null, parseDone: boolean): void => {
        const t1 = performance.now();
        // Prepared once its Parse completed, even when the Execute after it failed (a timeout): parsing it again
        // would fail with "already exists" for the rest of the run.
        if (parseDone) parsed[k] = true;
        if (error === null) {
          parsed[k] = true;
          // A call begun in the warm-up and answered in the run counts in neither phase, in the figures as in
          // the progress.
          if (callPhase === phase) {
            (histograms[k] as LatencyHistogram).record(t1 - t0);
            lastAnswer = t1;
            progress[CALLS] = (progress[CALLS] as number) + 1;
          }
        } else {
          if (callPhase === 2) {
            errors[k] = (errors[k] as number) + 1;
            progress[ERRORS] = (progress[ERRORS] as number) + 1;
            lastAnswer = t1;
          }
          firstErrors[k] ??= error;
          if (session.broken) {
            lostClients.push(`client ${n + 1}: ${error}`);
            finish();
            return;
          }
        }
        next(t1);
      };
      next(performance.now());
    });

  // Every client connects before any starts, so the warm-up and the run see all of them.
  const sessions = await Promise.all(
    Array.from({ length: spec.clients }, (_, i) => connect(spec.firstClient + i)),
  );
  await control.ready?.();
  // The run begins when a timer set for the warm-up's end fires, not on the call path: the first call after the
  // warm-up taking a branch no call had taken before (the call to begin the run) threw away the optimised code
  // too. The timer is the only one, and only during the warm-up: while one is pending every wait for the sockets
  // arms a kernel timer.
  enterPhase(warmupMs <= 0, performance.now());
  const warmupTimer = warmupMs > 0 ? setTimeout(() => enterPhase(true, performance.now()), warmupMs) : null;
  await Promise.all(sessions.map((s, i) => (s ? client(spec.firstClient + i, s) : Promise.resolve())));
  if (warmupTimer) clearTimeout(warmupTimer);
  const cpu = process.cpuUsage(cpuFrom);
  await Promise.all(sessions.map((s) => s?.close()));
  return {
    elapsedMs: measuring ? Math.max(0, lastAnswer - measureFrom) : 0,
    statements: spec.statements.map((s, i) => ({
      id: s.id,
      histogram: (histograms[i] as LatencyHistogram).state(),
      errors: errors[i] as number,
      firstError: firstErrors[i] ?? null,
    })),
    lostClients,
    cpuMs: measuring ? (cpu.user + cpu.system) / 1000 : 0,
  };
}
