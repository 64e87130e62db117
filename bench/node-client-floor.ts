/**
 * How close dbopt bench's driver is to the least a Node client can do, and where pgbench stands: the same lookup
 * (pgbench -S's statement, a key drawn uniformly from a pgbench scale-10 table), 8 clients in one thread, run in
 * turn by
 *   - pgbench -M prepared -j 1 (its CPU from /usr/bin/time);
 *   - the floor: connections opened by `pg`, then per answer one read into a buffer (net's onread), a scan for
 *     ReadyForQuery and one writeSync of a prebuilt Bind/Execute/Sync, nothing else (no histogram, no statement
 *     picked, no clock read), its CPU from process.cpuUsage over the measured seconds;
 *   - dbopt bench --threads 1, the built CLI (DBOPT_BIN names another build), its CPU from its report.
 * On two busy cores each client waits runnable most of the time and its throughput follows its CPU per call, so
 * the CPU per call is the figure to read; tx/s swings with the machine's load.
 *
 *   npx tsx bench/node-client-floor.ts [rounds=3] [seconds=5] [clients=8]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { Socket } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { bindMessage, EXECUTE_SYNC, parseMessage } from "../src/advisors/load/wire-messages.js";
import { median } from "./support/paired-rounds.js";
import { cpuSeconds, readPgbenchOutput } from "./support/pgbench-output.js";
import { seededRandom } from "./support/seeded-random.js";

const ROUNDS = Number(process.argv[2] ?? 3);
const SECONDS = Number(process.argv[3] ?? 5);
const CLIENTS = Number(process.argv[4] ?? 8);
const HOST = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"];
const PGBENCH = "/usr/bin/pgbench";
const DBOPT = process.env.DBOPT_BIN ?? fileURLToPath(new URL("../bin/dbopt.js", import.meta.url));
const SQL = "SELECT abalance FROM pgbench_accounts WHERE aid = $1";
const SETS = 100_000;

const database = `dbopt_floor_${randomBytes(4).toString("hex")}`;
const url = `postgresql://postgres@127.0.0.1:5432/${database}`;
const dir = mkdtempSync(join(tmpdir(), "dbopt-floor-"));

interface Figures {
  tps: number;
  cpuUs: number;
}

function pgbench(script: string): Figures {
  const run = spawnSync(
    "/usr/bin/time",
    ["-f", "cpu %U %S", PGBENCH, ...HOST, "-n", "-M", "prepared", "-c", String(CLIENTS), "-j", "1"].concat([
      "-T",
      String(SECONDS),
      "-f",
      script,
      database,
    ]),
    { encoding: "utf8" },
  );
  if (run.status !== 0) throw new Error(`pgbench failed: ${run.stderr}`);
  const figures = readPgbenchOutput(run.stdout);
  return { tps: figures.tps, cpuUs: (cpuSeconds(run.stderr) * 1e6) / figures.transactions };
}

function dbopt(workload: string): Figures {
  const out = execFileSync(
    process.execPath,
    [
      DBOPT,
      "bench",
      "--db",
      url,
      "--workload",
      workload,
      "--read-only-ok",
      "--clients",
      String(CLIENTS),
    ].concat([
      "--threads",
      "1",
      "--duration",
      `${SECONDS}s`,
      "--warmup",
      "0",
      "--parameter-sets",
      String(SETS),
      "--format",
      "json",
    ]),
    { encoding: "utf8" },
  );
  const run = JSON.parse(out).run as { throughput: number; driverCpuUsPerCall: number };
  return { tps: run.throughput, cpuUs: run.driverCpuUsPerCall };
}

/** The floor: Node's socket path and nothing else. */
async function floor(): Promise<Figures> {
  const random = seededRandom(7);
  const calls = Array.from({ length: SETS }, () =>
    Buffer.concat([bindMessage("floor", [String(1 + Math.floor(random() * 1_000_000))]), EXECUTE_SYNC]),
  );
  const buffer = Buffer.allocUnsafe(64 * 1024);
  let answered = 0;
  let stop = false;
  const clients: pg.Client[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    let fd = -1;
    let socket: Socket | null = null;
    const client = new pg.Client({
      connectionString: url,
      stream: (() => {
        socket = new Socket({
          onread: {
            buffer,
            callback: (bytes: number, into: Uint8Array) => {
              if (fd < 0) {
                socket?.emit("data", Buffer.from(into.subarray(0, bytes)));
                return;
              }
              for (let at = 0; at + 5 <= bytes; at += 1 + buffer.readInt32BE(at + 1))
                if (buffer[at] === 0x5a) {
                  answered++;
                  if (!stop) writeSync(fd, calls[(random() * SETS) | 0] as Buffer);
                }
            },
          },
        } as ConstructorParameters<typeof Socket>[0]);
        return socket;
      }) as never,
    });
    await client.connect();
    const taken = (client as unknown as { connection: { stream: Socket } }).connection.stream;
    taken.removeAllListeners("data");
    fd = (taken as unknown as { _handle: { fd: number } })._handle.fd;
    writeSync(fd, parseMessage("floor", SQL));
    clients.push(client);
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const from = answered;
  for (const client of clients) {
    const fd = (client as unknown as { connection: { stream: { _handle: { fd: number } } } }).connection
      .stream._handle.fd;
    writeSync(fd, calls[0] as Buffer);
  }
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const cpu = process.cpuUsage(cpu0);
  const elapsed = performance.now() - t0;
  const n = answered - from;
  stop = true;
  await new Promise((resolve) => setTimeout(resolve, 100));
  await Promise.all(clients.map((c) => c.end().catch(() => {})));
  return { tps: (n * 1000) / elapsed, cpuUs: (cpu.user + cpu.system) / n };
}

const cell = (f: Figures) => `${f.tps.toFixed(0).padStart(7)} tx/s ${f.cpuUs.toFixed(1).padStart(5)} µs`;

try {
  execFileSync("createdb", [...HOST, database]);
  execFileSync(PGBENCH, [...HOST, "-i", "-s", "10", "-q", database], { stdio: "ignore" });
  const script = join(dir, "lookup.pgbench");
  const workload = join(dir, "lookup.sql");
  writeFileSync(
    script,
    "\\set aid random(1, 1000000)\nSELECT abalance FROM pgbench_accounts WHERE aid = :aid;\n",
  );
  writeFileSync(workload, `${SQL};\n`);
  console.log(
    `lookup, ${CLIENTS} clients in one thread, prepared, ${ROUNDS} rounds of ${SECONDS} s; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log(
    "  round  pgbench                  Node floor               dbopt bench   (tx/s, client CPU per call)",
  );
  const rows: Array<{ pgbench: Figures; floor: Figures; dbopt: Figures }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    const row = { pgbench: pgbench(script), floor: await floor(), dbopt: dbopt(workload) };
    rows.push(row);
    console.log(
      `  ${String(r + 1).padStart(5)}  ${cell(row.pgbench)}   ${cell(row.floor)}   ${cell(row.dbopt)}`,
    );
  }
  const m = (k: "pgbench" | "floor" | "dbopt") => ({
    tps: median(rows.map((x) => x[k].tps)),
    cpuUs: median(rows.map((x) => x[k].cpuUs)),
  });
  console.log(`  median ${cell(m("pgbench"))}   ${cell(m("floor"))}   ${cell(m("dbopt"))}`);
} finally {
  spawnSync("dropdb", [...HOST, "--if-exists", "--force", database]);
  rmSync(dir, { recursive: true, force: true });
}
