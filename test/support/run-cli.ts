import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built command; DBOPT_TEST_BIN runs another build (a private --outDir copy, or HEAD's to see a test fail). */
export const BIN = fileURLToPath(new URL("../../bin/dbopt.js", import.meta.url));

export interface CliResult {
  code: number | null;
  /** The signal that ended the process, if one did. */
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the built dbopt command as a user would, with a clean environment (no DATABASE_URL or PG*). */
export function runCli(
  args: string[],
  options: {
    input?: string | Buffer;
    env?: Record<string, string>;
    /** Another copy of bin/dbopt.js (a checkout elsewhere), and the directory to run it in. */
    bin?: string;
    cwd?: string;
    /** Called with all standard error so far, each time more arrives (to interrupt the command at a moment). */
    onStderr?: (text: string, child: ChildProcess) => void;
  } = {},
): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NO_COLOR: "1",
    // A fix whose SQL does not parse back fails the test (vitest.config.ts sets it for this process).
    DBOPT_STRICT_SQL: process.env.DBOPT_STRICT_SQL,
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? process.env.DBOPT_TEST_BIN ?? BIN, ...args], {
      env,
      stdio: ["pipe", "pipe", "pipe"],
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      options.onStderr?.(stderr, child);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}
