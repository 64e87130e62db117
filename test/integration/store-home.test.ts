/**
 * The default embedded store as root (these tests run as root): the postgres account that runs the server cannot
 * enter a 0700 home, so the store is kept in a root-owned 0711 folder holding its postgres-owned 0700 data
 * directory, said in one line; $DBOPT_HOME, when set, is kept as it is.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, storeHome } from "../../src/store/open-store.js";
import { migrateStore, STORE_SCHEMA_VERSION } from "../../src/store/store-migrations.js";

const root = process.getuid?.() === 0;
const base = mkdtempSync("/tmp/dbopt-store-home-");
// mkdtemp makes it 0700; /var/lib, which it stands for, is 0755.
chmodSync(base, 0o755);

describe.skipIf(!root)("the default embedded store when dbopt runs as root", () => {
  afterAll(() => {
    rmSync(base, { recursive: true, force: true });
  });

  it("keeps $DBOPT_HOME when set, and a home other users can enter", () => {
    expect(storeHome({ env: { DBOPT_HOME: "/somewhere/chosen", HOME: "/root" }, uid: 0 })).toEqual({
      home: "/somewhere/chosen",
      note: null,
    });
    const open = join(base, "open-home");
    mkdirSync(open, { mode: 0o755 });
    expect(storeHome({ env: { HOME: open }, uid: 0, systemDirectory: join(base, "unused") }).home).toBe(
      join(open, ".local", "share", "dbopt"),
    );
    // Not root: the server runs as this user, who can enter their own home.
    expect(storeHome({ env: { HOME: "/root" }, uid: 1000 }).note).toBeNull();
  });

  it("starts the store in a folder the postgres account can reach when the home is 0700, and says so", async () => {
    const closedHome = join(base, "closed-home");
    mkdirSync(closedHome, { mode: 0o700 });
    const system = join(base, "var-lib-dbopt");
    const chosen = storeHome({ env: { HOME: closedHome }, uid: 0, systemDirectory: system });
    expect(chosen.home).toBe(system);
    expect(chosen.note).toMatch(/the postgres account that runs it as root cannot enter .*closed-home/);
    expect(statSync(system).mode & 0o777).toBe(0o711);
    expect(statSync(system).uid).toBe(0);

    const opened = await openStore({ home: chosen.home });
    try {
      const migrated = await migrateStore(opened.store);
      expect(migrated.to).toBe(STORE_SCHEMA_VERSION);
      const [row] = await opened.store.query<{ n: number }>("select 1 as n");
      expect(row?.n).toBe(1);
    } finally {
      await opened.close();
    }
    const data = statSync(join(system, "store"));
    expect(data.mode & 0o777).toBe(0o700);
    expect(data.uid).toBe(Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim()));
    // The folder stays closed to listing by others: they may only pass through.
    expect(statSync(system).mode & 0o777).toBe(0o711);
  }, 120_000);
});
