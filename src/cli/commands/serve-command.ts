import type { Command } from "commander";
import { parseOptions, serveChecks } from "../option-schemas.js";

interface ServeFlags {
  store?: string;
  host: string;
  port: string;
  token?: string;
  debug?: boolean;
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .summary("the web dashboard on a history store")
    .description(
      "Serve the dashboard on a history store filled by dbopt collect: the databases and their health, each database's top statements over time, each statement's calls, mean time, rows and plan changes, and the diff between its plans. It only reads the store. It listens on 127.0.0.1; on any other --host every request needs a token (--token, else one is made up and printed). Ctrl-C stops it.",
    )
    .option(
      "--store <url>",
      "PostgreSQL URL of the history store (default: the embedded store in $DBOPT_HOME)",
    )
    .option("--host <address>", "address to listen on; anything but loopback requires a token", "127.0.0.1")
    .option("--port <n>", "port to listen on (0: any free port)", "7420")
    .option("--token <text>", "the token every request must carry (default off loopback: a random one)")
    .option("--debug", "show stack traces and details of errors")
    .action(async (flags: ServeFlags) => {
      const checked = await parseOptions("serve", { ...flags }, serveChecks);
      const { serveDashboard } = await import("../../pipeline/serve-dashboard.js");
      const say = (line: string) => process.stderr.write(`${line}\n`);
      const dashboard = await serveDashboard({
        store: checked.store,
        host: checked.host,
        port: checked.port,
        token: checked.token,
        onProgress: (message) => say(`  … ${message}`),
      });
      // The address goes to standard output: a script can read it (and the token) from there.
      process.stdout.write(`${dashboard.url}\n`);
      say(`dbopt serve: the dashboard of ${dashboard.store} is at ${dashboard.url} (Ctrl-C stops it)`);
      await new Promise<void>((stopped) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          stopped();
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      await dashboard.close();
    });
}
