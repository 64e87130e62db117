/**
 * Signal listeners that clean up what dbopt started (the embedded server, a MySQL scratch database) and leave the
 * exit to any other listener (dbopt demo --keep, a command's own interrupt handling); alone, they exit with
 * 128 + the signal's number. No imports: main.ts loads it up front.
 */

/**
 * Marks a listener that cleans up its own things and leaves the exit to others; its value says what it cleans up,
 * for the CLI's interrupt line (cli/interrupt-default.ts).
 */
export const PASSIVE = Symbol.for("dbopt.signal.passive");

/** Set on globalThis to the signal's name when a signal stopped the embedded servers of this process. */
export const INTERRUPTED = Symbol.for("dbopt.embedded.interrupted");

/** 128 + the signal's number, as a shell reports a process the signal ended. */
export function signalExitCode(signal: string): number {
  return signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : 129;
}

/** On SIGINT, SIGTERM and SIGHUP: `cleanUp`, then exit unless a listener that is not passive decides when. */
export function cleanUpOnSignals(what: string, cleanUp: (signal: NodeJS.Signals) => Promise<unknown>): void {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      const handledElsewhere = process.listeners(signal).some((l) => !(PASSIVE in l));
      void cleanUp(signal).then(() => {
        if (!handledElsewhere) process.exit(signalExitCode(signal));
      });
    };
    process.on(signal, Object.assign(onSignal, { [PASSIVE]: what }));
  }
}
