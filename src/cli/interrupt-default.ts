import { cancelOpenSessions } from "../connectors/open-sessions.js";

/**
 * Ctrl-C (SIGINT) or SIGTERM for a command that does not handle it itself: cancel the statements dbopt's sessions
 * are running (a server would run them on until statement_timeout, an UPDATE under explain --analyze holding its row
 * locks), say so in one line, and exit 130/143. A command or the embedded server that listens for the signal
 * itself is left to it; a second signal exits at once.
 */
export function cancelStatementsOnInterrupt(): void {
  let stopping = false;
  const onSignal = (name: NodeJS.Signals) => {
    if (process.listenerCount(name) > 1) return;
    const code = name === "SIGINT" ? 130 : 143;
    if (stopping) process.exit(code);
    stopping = true;
    // A server that does not answer must not hold the exit: the cancels get a few seconds.
    const bound = setTimeout(() => finish(null), 5000);
    bound.unref();
    const finish = (result: { open: number; failed: number } | null) => {
      const what =
        result === null || result.failed > 0
          ? "the statements it was running on the server could not all be cancelled: they end at --statement-timeout"
          : result.open > 0
            ? "the statements it was running on the server were cancelled"
            : "nothing was running on a server";
      process.stderr.write(`dbopt: error: interrupted (${name}): ${what}.\n`);
      process.exit(code);
    };
    void cancelOpenSessions().then(finish, () => finish(null));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
