/**
 * pgbench's own figures, read from its output (the bench scripts run it and compare with dbopt bench): one reader,
 * so every script reads the same line the same way, and a figure pgbench did not print is an error, not a NaN
 * that would turn up as a ratio of NaN.
 */

export interface PgbenchFigures {
  /** "tps = N (without initial connection time)": over the whole run. */
  tps: number;
  /** "latency average = N ms". */
  latencyMs: number;
  /** "number of transactions actually processed: N". */
  transactions: number;
  /** -P's one-second reports (standard error): each interval's end, in seconds from the start, and its tps. */
  progress: Array<{ atSeconds: number; tps: number }>;
}

function figure(text: string, pattern: RegExp, what: string): number {
  const m = pattern.exec(text);
  if (!m) throw new Error(`pgbench printed no ${what}:\n${text}`);
  return Number(m[1]);
}

export function readPgbenchOutput(stdout: string, stderr = ""): PgbenchFigures {
  return {
    tps: figure(stdout, /tps = ([\d.]+) \(without initial connection time\)/, "tps"),
    latencyMs: figure(stdout, /latency average = ([\d.]+) ms/, "latency average"),
    transactions: figure(stdout, /actually processed: (\d+)/, "transaction count"),
    progress: [...stderr.matchAll(/progress: ([\d.]+) s, ([\d.]+) tps/g)].map((m) => ({
      atSeconds: Number(m[1]),
      tps: Number(m[2]),
    })),
  };
}

/**
 * Throughput after a warm-up: the mean of the -P 1 reports whose second ends after `warmupSeconds` (the whole
 * run's tps when there is no warm-up).
 */
export function steadyTps(figures: PgbenchFigures, warmupSeconds: number): number {
  if (warmupSeconds <= 0) return figures.tps;
  const steady = figures.progress.filter((p) => p.atSeconds > warmupSeconds).map((p) => p.tps);
  if (steady.length === 0)
    throw new Error("pgbench printed no progress report after the warm-up (run it with -P 1)");
  return steady.reduce((a, b) => a + b, 0) / steady.length;
}

/** "cpu USER SYSTEM", as /usr/bin/time -f "cpu %U %S" writes it: the seconds of CPU of the run, both added. */
export function cpuSeconds(timeOutput: string): number {
  const m = /cpu ([\d.]+) ([\d.]+)/.exec(timeOutput);
  if (!m) throw new Error(`/usr/bin/time printed no cpu line:\n${timeOutput}`);
  return Number(m[1]) + Number(m[2]);
}
