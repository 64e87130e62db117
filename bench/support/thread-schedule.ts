/**
 * Where the CPU goes while a load client runs (Linux /proc): each of the client's threads' CPU time and time spent
 * runnable but waiting for a core (/proc/PID/task/TID/schedstat), the same for the database's server processes,
 * and the machine's idle time (/proc/stat). On a small machine a load client's throughput is decided by these:
 * when no core is idle, by the CPU each call costs the client and the server; when a core is idle, by a thread
 * that waits for something other than a core. Sampled a few times a second from another process, so the client
 * runs as it would alone.
 */
import { readdirSync, readFileSync } from "node:fs";

interface Scheduled {
  name: string;
  /** Nanoseconds on a core, and runnable but waiting for one. */
  runNs: number;
  waitNs: number;
  /** Times it was put on a core (each wake-up or preemption ends one). */
  slices: number;
}

export interface ScheduleSample {
  atMs: number;
  /** The client's threads by thread id. */
  client: Map<number, Scheduled>;
  /** The server processes connected to the database, by process id. */
  server: Map<number, Scheduled>;
  /** /proc/stat's clock ticks: idle (idle + iowait) and all. */
  idleTicks: number;
  allTicks: number;
}

function schedstat(path: string): { runNs: number; waitNs: number; slices: number } | null {
  try {
    const [run, wait, slices] = readFileSync(path, "utf8").split(" ");
    return { runNs: Number(run), waitNs: Number(wait), slices: Number(slices) };
  } catch {
    return null; // the thread or process ended between the listing and the read
  }
}

function threadsOf(pid: number): Map<number, Scheduled> {
  const threads = new Map<number, Scheduled>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    const s = schedstat(`/proc/${pid}/task/${tid}/schedstat`);
    if (!s) continue;
    let name = "?";
    try {
      name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
    } catch {}
    threads.set(Number(tid), { name, ...s });
  }
  return threads;
}

/** Server processes whose title names the database: "postgres: 15/main: USER DATABASE HOST(PORT) STATE". */
function backendsOf(database: string): Map<number, Scheduled> {
  const backends = new Map<number, Scheduled>();
  const needle = ` ${database} `;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let title = "";
    try {
      title = readFileSync(`/proc/${entry}/cmdline`, "utf8");
    } catch {
      continue;
    }
    if (!title.startsWith("postgres:") || !title.includes(needle)) continue;
    const s = schedstat(`/proc/${entry}/schedstat`);
    if (s) backends.set(Number(entry), { name: "backend", ...s });
  }
  return backends;
}

function machineTicks(): { idleTicks: number; allTicks: number } {
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "")
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const all = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idleTicks: (fields[3] ?? 0) + (fields[4] ?? 0), allTicks: all };
}

/** Samples a client process and the database's server processes every `everyMs` until stopped. */
export function sampleSchedule(pid: number, database: string, everyMs = 250): () => ScheduleSample[] {
  const samples: ScheduleSample[] = [];
  const take = () =>
    samples.push({
      atMs: performance.now(),
      client: threadsOf(pid),
      server: backendsOf(database),
      ...machineTicks(),
    });
  take();
  const timer = setInterval(take, everyMs);
  return () => {
    clearInterval(timer);
    return samples;
  };
}

export interface ScheduleFigures {
  seconds: number;
  /** Cores used by the client's threads, and client threads runnable but waiting for a core (on average). */
  clientCores: number;
  clientWaiting: number;
  /** The same for the server processes. */
  serverCores: number;
  serverWaiting: number;
  /** Times per second the client's threads were put on a core: their wake-ups (and preemptions). */
  clientSlices: number;
  /** Cores idle, of the machine's. */
  idleCores: number;
  /** The client's busiest threads: name, cores, waiting. */
  clientThreads: Array<{ name: string; cores: number; waiting: number }>;
}

function delta(a: Map<number, Scheduled>, b: Map<number, Scheduled>, seconds: number) {
  let run = 0;
  let wait = 0;
  let slices = 0;
  const each: Array<{ name: string; cores: number; waiting: number }> = [];
  for (const [id, end] of b) {
    const start = a.get(id);
    if (!start) continue;
    const r = (end.runNs - start.runNs) / 1e9 / seconds;
    const w = (end.waitNs - start.waitNs) / 1e9 / seconds;
    run += r;
    wait += w;
    slices += (end.slices - start.slices) / seconds;
    each.push({ name: end.name, cores: r, waiting: w });
  }
  return { run, wait, slices, each: each.sort((x, y) => y.cores - x.cores) };
}

/**
 * The figures of the steady part of a run: from `skipSeconds` after the first sample where at least `backends`
 * server processes were connected, to the last such sample, less a quarter of a second at each end (start-up and
 * close stay out). Null when the run was too short for that.
 */
export function steadyWindow(
  samples: ScheduleSample[],
  backends: number,
  skipSeconds: number,
): ScheduleFigures | null {
  const loaded = samples.filter((s) => s.server.size >= backends);
  const first = loaded[0];
  const last = loaded.at(-1);
  if (!first || !last) return null;
  const from = loaded.find((s) => s.atMs >= first.atMs + (skipSeconds + 0.25) * 1000);
  const to = [...loaded].reverse().find((s) => s.atMs <= last.atMs - 250);
  if (!from || !to || to.atMs - from.atMs < 500) return null;
  const seconds = (to.atMs - from.atMs) / 1000;
  const client = delta(from.client, to.client, seconds);
  const server = delta(from.server, to.server, seconds);
  const cores = (to.allTicks - from.allTicks) / 100 / seconds;
  return {
    seconds,
    clientCores: client.run,
    clientWaiting: client.wait,
    serverCores: server.run,
    serverWaiting: server.wait,
    clientSlices: client.slices,
    idleCores: ((to.idleTicks - from.idleTicks) / (to.allTicks - from.allTicks || 1)) * cores,
    clientThreads: client.each.filter((t) => t.cores >= 0.01),
  };
}
