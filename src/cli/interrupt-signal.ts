/**
 * SIGINT/SIGTERM as an AbortSignal for work that must clean up before it exits (advise --apply drops the index it
 * was building). A second signal exits at once, with a line saying how to find what may be left.
 */
export async function withInterrupt<T>(
  work: (signal: AbortSignal) => Promise<T>,
  leftovers: string,
): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      // On a terminal, say why nothing ends at once; otherwise the one error line says it all.
      if (process.stderr.isTTY)
        process.stderr.write(`dbopt: ${name} received: stopping and cleaning up (again to stop at once)\n`);
      controller.abort(name);
      return;
    }
    process.stderr.write(`dbopt: stopped before the cleanup finished; ${leftovers}\n`);
    process.exit(name === "SIGINT" ? 130 : 143);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
