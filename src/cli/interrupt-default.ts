import { cancelOpenSessions } from "../connectors/open-sessions.js";
import { PASSIVE, signalExitCode } from "../connectors/signal-cleanup.js";

let pending: Promise<number> | null = null;

/**
 * The exit code once the interrupt's line is printed, when the default handler below took a signal; null otherwise.
 * main() waits for it instead of reporting the error the cancelled statement raised.
 */
export function whenInterrupted(): Promise<number> | null {
  return pending;
}

/**
 * Ctrl-C (SIGINT) or SIGTERM for a command that does not handle it itself: cancel the statements dbopt's sessions
 * are running (a server would run them on until statement_timeout, an UPDATE under explain --analyze holding its row
 * locks), say so in one line, and exit 130/143. A command that listens for the signal itself (advise, bench,
 * collect, serve, demo --keep) is left to it. While an embedded server runs, its hook stops it and exits. A second
 * signal exits at once.
 */
export function cancelStatementsOnInterrupt(): void {
  let stopping = false;
  let settle: (code: number) => void = () => {};
  const onSignal = (name: NodeJS.Signals) => {
    const others = process.listeners(name).filter((l) => l !== listener);
    if (others.some((l) => !(PASSIVE in l))) return;
    const code = signalExitCode(name);
    if (stopping) process.exit(code);
    stopping = true;
    pending = new Promise((resolve) => {
      settle = resolve;
    });
    // The embedded server's hook stops it and removes its files, the MySQL scratch database's drops it; they exit.
    const cleaners = others.map((l) => String((l as unknown as Record<symbol, unknown>)[PASSIVE]));
    const othersExit = cleaners.length > 0;
    const say = (what: string) => process.stderr.write(`dbopt: error: interrupted (${name}): ${what}.\n`);
    // Said now, while they work: the process ends when they are done.
    if (othersExit) say([...new Set(cleaners)].join("; "));
    // A server that does not answer must not hold the exit: the cancels get a few seconds.
    const bound = setTimeout(() => finish(null), 5000);
    bound.unref();
    let finished = false;
    const finish = (result: { open: number; failed: number } | null) => {
      if (othersExit || finished) return;
      finished = true;
      say(
        result === null || result.failed > 0
          ? "the statements it was running on the server could not all be cancelled: they end at --statement-timeout"
          : result.open > 0
            ? "the statements it was running on the server were cancelled"
            : "nothing was running on a server",
      );
      // main() returns the code when the command's own error (the cancelled statement) reached it; otherwise
      // (work that does not touch a server) the process ends here.
      settle(code);
      setTimeout(() => process.exit(code), 200);
    };
    void cancelOpenSessions().then(finish, () => finish(null));
  };
  const listener = Object.assign(onSignal, { [PASSIVE]: "the statements it was running were cancelled" });
  process.on("SIGINT", listener);
  process.on("SIGTERM", listener);
}
