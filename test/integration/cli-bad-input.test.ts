import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES } from "../support/fixtures.js";
import { BIN, runCli } from "../support/run-cli.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

// Hostile input to every command: each gets one line saying what to do, a non-zero exit, and no password.
const scratch = mkdtempSync(join(tmpdir(), "dbopt-bad-input-"));
const plan = join(FIXTURES, "plans/pg18/seq-scan-filter.txt");
const SECRET = "hunter2secret";

function expectOneLine(
  r: { code: number | null; stdout: string; stderr: string },
  code: number,
  pattern: RegExp,
) {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^dbopt: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/bug in dbopt|\n\s+at /);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters a one-line message must not hold.
  expect(r.stderr.trimEnd()).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/);
  expect(r.stdout + r.stderr).not.toContain(SECRET);
}

describe("files that are empty or not text", () => {
  const empty = join(scratch, "empty.txt");
  const binary = join(scratch, "binary.bin");
  beforeAll(() => {
    writeFileSync(empty, "");
    // Bytes that are not UTF-8, control characters and a NUL, as a core dump or an image would hold.
    writeFileSync(binary, Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 151 + 7) % 256)));
  });

  it("an empty plan file, and an empty side of --compare", async () => {
    expectOneLine(await runCli(["explain", empty]), 2, /the plan is empty/);
    expectOneLine(
      await runCli(["explain", "--compare", empty, plan]),
      2,
      /before plan .*empty\.txt.*the plan is empty/,
    );
  });

  it("a binary file given for a plan or SQL is named as binary, not parsed and quoted", async () => {
    expectOneLine(
      await runCli(["explain", binary]),
      2,
      /binary\.bin is not a text file: it holds binary data/,
    );
    expectOneLine(
      await runCli(["explain"], { input: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x41]) }),
      2,
      /standard input is not a text file/,
    );
    expectOneLine(await runCli(["migrate", "lint", binary]), 2, /binary\.bin is not a text file/);
  });

  it("migrate trace --schema and --workload: binary is refused before a server starts, a device too", async () => {
    const migration = join(scratch, "0001_add.sql");
    writeFileSync(migration, "create table t (id int);\n");
    // Read as text, a binary schema was loaded into a started embedded server and failed there, quoting bytes.
    for (const flag of ["--schema", "--workload"])
      expectOneLine(
        await runCli(["migrate", "trace", migration, flag, binary]),
        2,
        /binary\.bin is not a text file: it holds binary data/,
      );
    expectOneLine(
      await runCli(["migrate", "trace", migration, "--schema", "/dev/zero"]),
      2,
      /"\/dev\/zero" is a device, not a file/,
    );
  });

  it("a trace file that is not JSON quotes it on the same line", async () => {
    const notJson = join(scratch, "not.json");
    writeFileSync(notJson, "not json\n");
    expectOneLine(await runCli(["traces", notJson]), 2, /not\.json is not JSON/);
  });
});

describe("URLs with a password in the wrong place or of the wrong kind", () => {
  const url = `http://app:${SECRET}@db.example/shop`;
  it.each([
    [["analyze", "--db", url], /--db must be a database URL .*got "http:\/\/app:\*\*\*@db\.example\/shop"/],
    [["rewrite", "--sql", "select 1", "--db", url], /--db must be a PostgreSQL URL/],
    [["collect", "--once", "--store", url], /--store must be a PostgreSQL URL/],
    [["serve", "--store", url], /--store must be a PostgreSQL URL/],
    [
      ["advise", "--db", `mysql://root:${SECRET}@127.0.0.1:1/x`, "--sandbox", url],
      /--sandbox takes no value/,
    ],
  ])("dbopt %s", async (args, pattern) => {
    expectOneLine(await runCli(args as string[]), 2, pattern as RegExp);
  });

  it("--debug's stack trace holds no password either", async () => {
    const r = await runCli(["analyze", "--db", url, "--debug"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain(SECRET);
  });
});

describe.each(server("pg15"))("a role refused CONNECT on $name", (pg15) => {
  let db: TestDatabase;
  const role = `dbopt_noconnect_${Math.random().toString(36).slice(2, 8)}`;
  beforeAll(async () => {
    db = await createTestDatabase(pg15);
    await runAsAdmin(db.url, `create role ${role} login; revoke connect on database ${db.name} from public`);
  });
  afterAll(async () => {
    await db?.drop();
    await runAsAdmin(pg15.adminUrl, `drop role if exists ${role}`);
  });

  it("names the grant for that role and database, each quoted once", async () => {
    const url = db.url.replace(/\/\/[^@/]*@/, `//${role}@`);
    expectOneLine(
      await runCli(["check", "--db", url]),
      2,
      new RegExp(
        `permission denied for database "${db.name}"\\. GRANT CONNECT ON DATABASE ${db.name} TO ${role};$`,
      ),
    );
  });
});

describe.each(server("pg15"))("a URL asking for SSL on $name, which has none", (pg15) => {
  it("is one line, without node-postgres's ten-line sslmode warning", async () => {
    const url = `${pg15.adminUrl.replace(/\?.*$/, "")}?sslmode=require`;
    expectOneLine(await runCli(["check", "--db", url]), 3, /does not support SSL connections/);
  });
});

describe("option values and arguments", () => {
  it("a PGPORT that is not a port: one line, not a silent exit 13 with the connection waiting on port NaN", async () => {
    expectOneLine(
      await runCli(["check"], { env: { PGHOST: "127.0.0.1", PGPORT: "abc" } }),
      2,
      /PGPORT must be a port number from 1 to 65535, got "abc"/,
    );
  });

  it("check and tune refuse --snapshot and --db together rather than ignore --db", async () => {
    const snapshot = join(scratch, "snapshot.json");
    writeFileSync(snapshot, "{}");
    const db = "postgresql://app@127.0.0.1:1/shop";
    expectOneLine(await runCli(["check", "--snapshot", snapshot, "--db", db]), 2, /--snapshot and --db both/);
    expectOneLine(
      await runCli(["tune", "--ram", "8GB", "--snapshot", snapshot, "--db", db]),
      2,
      /--snapshot and --db/,
    );
  });

  it("explain refuses --db with a plan file rather than ignore it", async () => {
    expectOneLine(
      await runCli(["explain", plan, "--db", "postgresql://app@127.0.0.1:1/shop"]),
      2,
      /--db is given with a plan, which dbopt reads as it is/,
    );
  });

  it("a misspelt command: the suggestion on the same line", async () => {
    expectOneLine(
      await runCli(["analyse"]),
      2,
      /unknown command 'analyse' \(did you mean analyze\?\)\. Run dbopt --help/,
    );
  });

  it("an extra argument: one full stop", async () => {
    expectOneLine(
      await runCli(["rules", "extra"]),
      2,
      /Expected 0 arguments but got 1\. Run dbopt rules --help/,
    );
  });

  it("a size no machine has is refused, not printed as 9.8e+22 TB", async () => {
    expectOneLine(
      await runCli(["tune", "--ram", "99999999999999999999GB"]),
      2,
      /--ram must be a size of at most 1024TB/,
    );
  });

  it("a message that names its option says it once", async () => {
    expectOneLine(
      await runCli(["advise", "caching", "--verify", "http://cache:6379"]),
      2,
      /^dbopt: error: --verify takes a redis:\/\/ or rediss:\/\/ URL\./,
    );
    expectOneLine(
      await runCli(["advise", "partitioning", "--retention", "forever"]),
      2,
      /^dbopt: error: --retention takes days/,
    );
  });

  it("snapshot --from-store points at its own --help", async () => {
    expectOneLine(
      await runCli([
        "snapshot",
        "--from-store",
        "--db",
        "x",
        "--at",
        "yesterday",
        "--out",
        join(scratch, "s.json"),
      ]),
      2,
      /--at must be a time .*Run dbopt snapshot --help/,
    );
  });

  it("migrate lint --dialect postgresql with a MySQL --db is refused, not linted with MySQL's rules", async () => {
    const migration = join(scratch, "0001.sql");
    writeFileSync(migration, "create table t (id int);\n");
    expectOneLine(
      await runCli([
        "migrate",
        "lint",
        migration,
        "--dialect",
        "postgresql",
        "--db",
        "mysql://root@127.0.0.1:1/x",
      ]),
      2,
      /--dialect postgresql needs a postgresql:\/\/ --db/,
    );
  });
});

describe.each(server("pg15"))("advise on $name", (pg15) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(pg15, "create table orders (id int primary key, customer int);");
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("--tables naming a table the database does not have", async () => {
    const workload = join(scratch, "workload.sql");
    writeFileSync(workload, "select * from orders where customer = 1;\n");
    expectOneLine(
      await runCli(["advise", "--db", db.url, "--workload", workload, "--tables", "orders,ordres"]),
      2,
      /--tables names "ordres", which this database does not have/,
    );
  });

  it("advise scaling --log given a folder names the option and the folder", async () => {
    expectOneLine(
      await runCli(["advise", "scaling", "--db", db.url, "--log", scratch]),
      2,
      /--log ".*" is a folder, not a file/,
    );
  });

  it("a comparison variant that does not parse is a syntax error, not 'B writes'", async () => {
    const args = ["bench", "--db", db.url, "--variant-a-sql", "select 1", "--variant-b-sql", "selec 2"];
    expectOneLine(
      await runCli([...args, "--read-only-ok"]),
      2,
      /--variant-b-sql does not parse: syntax error at or near "selec"/,
    );
  });
});

describe("bin/dbopt.js", () => {
  it("says so in one line when the work ends waiting on nothing (Node's exit 13), rather than nothing at all", async () => {
    // bin/dbopt.js itself, in front of a main() whose promise never settles.
    const root = mkdtempSync(join(tmpdir(), "dbopt-bin-"));
    mkdirSync(join(root, "bin"));
    mkdirSync(join(root, "dist/cli"), { recursive: true });
    copyFileSync(BIN, join(root, "bin/dbopt.js"));
    writeFileSync(join(root, "package.json"), '{"type":"module"}');
    writeFileSync(join(root, "dist/cli/main.js"), "export const main = () => new Promise(() => {});\n");
    const r = await runCli(["check"], { bin: join(root, "bin/dbopt.js") });
    expect(r.code).toBe(13);
    expect(r.stderr.trim().split("\n")).toEqual([
      "dbopt: error: stopped before finishing, waiting on nothing. This is a bug in dbopt; run again with --debug and report the output.",
    ]);
  });
});

describe("inputs that are no regular file: devices, sockets, named pipes", () => {
  const URL_ = "postgresql://nobody@127.0.0.1:1/none";
  const COMMANDS: string[][] = [
    ["logs"],
    ["explain"],
    ["migrate", "lint"],
    ["migrate", "lint", "--dialect", "mysql"],
    ["advise", "--db", URL_, "--workload"],
    ["traces"],
    ["bench", "--db", URL_, "--workload"],
  ];

  it.each(COMMANDS.map((c) => [c.join(" "), c] as const))(
    "%s: /dev/zero and /dev/null are devices, refused before any reading",
    async (_name, command) => {
      // /dev/zero never ends: it was read until memory ran out (migrate lint aborted) or called an empty log.
      for (const device of ["/dev/zero", "/dev/null"])
        expectOneLine(
          await runCli([...command, device]),
          2,
          new RegExp(`"${device}" is a device, not a file`),
        );
    },
  );

  it("a socket is refused as one", async () => {
    const { createServer } = await import("node:net");
    const path = join(scratch, "s.sock");
    const socket = createServer();
    await new Promise<void>((resolve) => socket.listen(path, resolve));
    try {
      expectOneLine(await runCli(["logs", path]), 2, /s\.sock" is a socket, not a file/);
    } finally {
      socket.close();
    }
  });

  it("a named pipe is read as a stream: logs, traces and migrate lint give what the file gives", async () => {
    const { spawnSync } = await import("node:child_process");
    const { createWriteStream, readFileSync } = await import("node:fs");
    const fifo = join(scratch, "pipe");
    spawnSync("mkfifo", [fifo]);
    const through = async (source: string, args: string[]) => {
      // The writer opens the pipe when dbopt does, and closes it at the end of the file.
      const writer = createWriteStream(fifo);
      writer.end(readFileSync(source));
      return runCli([...args, fifo]);
    };
    const log = join(FIXTURES, "logs/mariadb-slow.log");
    const summary = (out: string) => out.split("\n").slice(2, 3).join("");
    const fromFile = await runCli(["logs", log]);
    const fromPipe = await through(log, ["logs"]);
    expect(fromPipe.code, fromPipe.stderr).toBe(0);
    expect(summary(fromPipe.stdout)).toBe(summary(fromFile.stdout));
    expect(summary(fromPipe.stdout)).toMatch(/^32 statements/);
    const traces = join(FIXTURES, "traces/mariadb-mysql2.otlp.json");
    const spans = (out: string) => JSON.parse(out).spans;
    const tracesFile = await runCli(["traces", "--format", "json", traces]);
    const tracesPipe = await through(traces, ["traces", "--format", "json"]);
    expect(tracesPipe.code, tracesPipe.stderr).toBe(0);
    expect(spans(tracesPipe.stdout)).toEqual(spans(tracesFile.stdout));
    const sql = join(scratch, "m.sql");
    writeFileSync(sql, "CREATE TABLE t (a INT);\nALTER TABLE t ADD COLUMN b INT;\n");
    const lint = await through(sql, ["migrate", "lint", "--dialect", "mysql"]);
    expect(lint.stdout).toMatch(/1 file, 2 statements/);
  });

  it("a binary file is refused by MySQL migrate lint as by PostgreSQL's, and by traces, not parsed and quoted", async () => {
    const binary = join(scratch, "binary-mysql.sql");
    writeFileSync(binary, Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 151 + 7) % 256)));
    expectOneLine(
      await runCli(["migrate", "lint", "--dialect", "mysql", binary]),
      2,
      /binary-mysql\.sql is not a text file: it holds binary data/,
    );
    expectOneLine(
      await runCli(["traces", binary]),
      2,
      /binary-mysql\.sql is not a text file: it holds binary data\. Give OTLP\/JSON traces as plain text/,
    );
  });
});
