/**
 * Every command's options are checked before it does any work: each bad value below gives exit 2, one line on
 * standard error that names the option, and nothing on standard output. Commands that connect get a --db that
 * refuses connections (port 1): had they started work, they would exit 3 with "connection refused" instead.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES } from "../support/fixtures.js";
import { runCli } from "../support/run-cli.js";

const scratch = mkdtempSync(join(tmpdir(), "dbopt-options-test-"));
const NOWHERE = "postgresql://nobody@127.0.0.1:1/nothing";
const MYSQL_NOWHERE = "mysql://nobody@127.0.0.1:1/nothing";
const PLAN = join(FIXTURES, "plans/pg18/seq-scan-filter.txt");
const MIGRATION = join(scratch, "0001.sql");
writeFileSync(MIGRATION, "alter table orders add column note text;\n");
const LOG = join(scratch, "postgresql.log");
writeFileSync(LOG, "2026-11-26 14:00:00.000 UTC [1] LOG:  database system is ready to accept connections\n");
const TRACE = join(scratch, "trace.json");
writeFileSync(TRACE, '{"resourceSpans":[]}\n');
const NOT_WRITTEN = join(scratch, "never-written.json");

type Case = [name: string, args: string[], message: RegExp];

const CASES: Case[] = [
  // analyze
  [
    "analyze --top abc",
    ["analyze", "--db", NOWHERE, "--top", "abc"],
    /--top must be a whole number from 1 to 1000, got "abc"\. Run dbopt analyze --help for the options\.$/,
  ],
  [
    "analyze --top 0",
    ["analyze", "--db", NOWHERE, "--top", "0"],
    /--top must be a whole number from 1 to 1000, got "0"/,
  ],
  ["analyze --top 2.5", ["analyze", "--db", NOWHERE, "--top", "2.5"], /--top must be a whole number/],
  [
    "analyze --cpus -4",
    ["analyze", "--db", NOWHERE, "--cpus", "-4"],
    /--cpus must be a whole number from 1 to 4096, got "-4"/,
  ],
  [
    "analyze --ram lots",
    ["analyze", "--db", NOWHERE, "--ram", "lots"],
    /--ram must be a size like 512MB or 16GB/,
  ],
  [
    "analyze --storage nvme",
    ["analyze", "--db", NOWHERE, "--storage", "nvme"],
    /--storage must be one of ssd, hdd, san, got "nvme"/,
  ],
  [
    "analyze --set",
    ["analyze", "--db", NOWHERE, "--set", "minStatsDays=1"],
    /--set must be rule-id\.option=number/,
  ],
  [
    "analyze --set unknown rule",
    ["analyze", "--db", NOWHERE, "--set", "health/no-such-rule.x=1"],
    /--set health\/no-such-rule\.x=1 names no rule/,
  ],
  [
    "analyze --format",
    ["analyze", "--db", NOWHERE, "--format", "xml"],
    /--format must be one of terminal, json, markdown, html, got "xml"/,
  ],
  [
    "analyze --fail-on",
    ["analyze", "--db", NOWHERE, "--fail-on", "fatal"],
    /--fail-on must be one of error, warning, info, got "fatal"/,
  ],
  [
    "analyze --statement-timeout",
    ["analyze", "--db", NOWHERE, "--statement-timeout", "soon"],
    /--statement-timeout must be a duration like 30s/,
  ],
  [
    "analyze --lock-timeout 0",
    ["analyze", "--db", NOWHERE, "--lock-timeout", "0"],
    /--lock-timeout must be a duration of at least 1ms/,
  ],
  ["analyze --db empty", ["analyze", "--db", ""], /--db needs a value, got an empty string/],
  [
    "analyze --db redis",
    ["analyze", "--db", "redis://127.0.0.1/x"],
    /--db must be a database URL like postgresql:\/\/.* or mysql:\/\/.*, got "redis:\/\/127\.0\.0\.1\/x"/,
  ],
  [
    "analyze -o folder",
    ["analyze", "--db", NOWHERE, "-o", scratch],
    /--output ".*" cannot be written: it is a folder; name a file in it/,
  ],
  [
    "analyze -o missing folder",
    ["analyze", "--db", NOWHERE, "-o", join(scratch, "no/such/dir/r.json")],
    /--output ".*r\.json" cannot be written: the folder .*no\/such\/dir does not exist/,
  ],
  [
    "analyze --save-snapshot folder",
    ["analyze", "--db", NOWHERE, "--save-snapshot", scratch],
    /--save-snapshot ".*" cannot be written: it is a folder/,
  ],
  // check
  [
    "check --fail-on fatal",
    ["check", "--db", NOWHERE, "--fail-on", "fatal"],
    /--fail-on must be one of error, warning, info, got "fatal"\. Run dbopt check --help/,
  ],
  [
    "check --snapshot missing",
    ["check", "--snapshot", join(scratch, "nope.json")],
    /--snapshot ".*nope\.json" does not exist/,
  ],
  ["check --snapshot folder", ["check", "--snapshot", scratch], /--snapshot ".*" is a folder, not a file/],
  // advise
  [
    "advise --min-improvement 500%",
    ["advise", "--db", NOWHERE, "--min-improvement", "500%"],
    /--min-improvement must be a percentage from 0% to 100%, like 5%, got "500%"/,
  ],
  [
    "advise --min-improvement abc",
    ["advise", "--db", NOWHERE, "--min-improvement", "abc"],
    /--min-improvement must be a percentage/,
  ],
  ["advise --budget", ["advise", "--db", NOWHERE, "--budget", "big"], /--budget must be a size like 512MB/],
  [
    "advise --max-indexes",
    ["advise", "--db", NOWHERE, "--max-indexes", "-1"],
    /--max-indexes must be a whole number from 1 to 1000/,
  ],
  [
    "advise --tables",
    ["advise", "--db", NOWHERE, "--tables", "orders,,items"],
    /--tables must be names separated by commas/,
  ],
  [
    "advise --workload missing",
    ["advise", "--db", NOWHERE, "--workload", join(scratch, "w.sql")],
    /--workload ".*w\.sql" does not exist/,
  ],
  [
    "advise <what>",
    ["advise", "tables", "--db", NOWHERE],
    /the argument <what> must be one of indexes, got "tables"/,
  ],
  ["advise scaling --samples 0", ["advise", "scaling", "--db", NOWHERE, "--samples", "0"], /--samples/],
  [
    "advise scaling --interval soon",
    ["advise", "scaling", "--db", NOWHERE, "--interval", "soon"],
    /--interval/,
  ],
  [
    "advise scaling --traces missing",
    ["advise", "scaling", "--db", NOWHERE, "--traces", "/nope/t.json"],
    /t\.json/,
  ],
  ["advise caching --window later", ["advise", "caching", "--db", NOWHERE, "--window", "later"], /--window/],
  [
    "advise caching --verify http",
    ["advise", "caching", "--db", NOWHERE, "--verify", "http://x"],
    /redis:\/\//,
  ],
  ["advise caching --replay 0", ["advise", "caching", "--db", NOWHERE, "--replay", "0"], /--replay/],
  [
    "advise partitioning --retention forever",
    ["advise", "partitioning", "--db", NOWHERE, "--retention", "forever"],
    /--retention takes days, weeks, months or years/,
  ],
  [
    "advise partitioning --set unknown rule",
    ["advise", "partitioning", "--db", NOWHERE, "--set", "architecture/nope.x=1"],
    /architecture\/nope/,
  ],
  // tune
  [
    "tune --cpus -4",
    ["tune", "--ram", "16GB", "--cpus", "-4"],
    /--cpus must be a whole number from 1 to 4096, got "-4"\. Run dbopt tune --help/,
  ],
  ["tune --ram 1MB", ["tune", "--ram", "1MB"], /--ram must be a size of at least 64MB, got "1MB"/],
  [
    "tune --workload",
    ["tune", "--ram", "16GB", "--workload", "batch"],
    /--workload must be one of web, oltp, dw, mixed, desktop/,
  ],
  [
    "tune --connections",
    ["tune", "--ram", "16GB", "--connections", "many"],
    /--connections must be a whole number/,
  ],
  // explain
  [
    "explain --sql empty",
    ["explain", "--db", NOWHERE, "--sql", ""],
    /--sql needs a value, got an empty string/,
  ],
  [
    "explain --sql and a file",
    ["explain", PLAN, "--sql", "select 1", "--db", NOWHERE],
    /--sql and a plan file were both given/,
  ],
  [
    "explain --analyze of a plan file",
    ["explain", PLAN, "--analyze"],
    /--analyze runs a statement on the database, and no statement was given/,
  ],
  [
    "explain --allow-writes without --analyze",
    ["explain", "--db", NOWHERE, "--sql", "delete from t", "--allow-writes"],
    /--allow-writes only matters with --analyze/,
  ],
  ["explain --plan folder", ["explain", "--plan", scratch], /--plan ".*" is a folder, not a file/],
  [
    "explain missing file",
    ["explain", join(scratch, "nope.txt")],
    /the plan file ".*nope\.txt" does not exist/,
  ],
  [
    "explain --format",
    ["explain", PLAN, "--format", "yaml"],
    /--format must be one of terminal, json, markdown, html, got "yaml"/,
  ],
  // snapshot
  [
    "snapshot --out folder",
    ["snapshot", "--db", NOWHERE, "--out", scratch],
    /--out ".*" cannot be written: it is a folder/,
  ],
  [
    "snapshot --statements",
    ["snapshot", "--db", NOWHERE, "--out", NOT_WRITTEN, "--statements", "lots"],
    /--statements must be a whole number from 0 to 100000/,
  ],
  // demo
  [
    "demo --format",
    ["demo", "--format", "yaml"],
    /--format must be one of terminal, json, markdown, html, got "yaml"\. Run dbopt demo --help/,
  ],
  ["demo -o folder", ["demo", "-o", scratch], /--output ".*" cannot be written: it is a folder/],
  // logs
  ["logs missing file", ["logs", join(scratch, "none.log")], /a log file ".*none\.log" does not exist/],
  [
    "logs --top",
    ["logs", LOG, "--top", "abc"],
    /--top must be a whole number from 1 to 10000, got "abc"\. Run dbopt logs --help/,
  ],
  [
    "logs --min-repeats 1",
    ["logs", LOG, "--min-repeats", "1"],
    /--min-repeats must be a whole number from 2 to/,
  ],
  ["logs --jobs 0", ["logs", LOG, "--jobs", "0"], /--jobs must be a whole number from 1 to 256/],
  ["logs --split-from", ["logs", LOG, "--split-from", "huge"], /--split-from must be a size/],
  ["logs --since", ["logs", LOG, "--since", "yesterday"], /--since must be a time like 2026-11-26T14:00/],
  [
    "logs --since after --until",
    ["logs", LOG, "--since", "2026-11-27", "--until", "2026-11-26"],
    /--since is not before --until/,
  ],
  [
    "logs --log-format",
    ["logs", LOG, "--log-format", "eventlog"],
    /--log-format must be one of stderr, syslog, csvlog, jsonlog, .*mysql-slow, got "eventlog"/,
  ],
  ["logs --prefix empty", ["logs", LOG, "--prefix", ""], /--prefix needs a value/],
  ["logs --format", ["logs", LOG, "--format", "markdown"], /--format must be one of terminal, json/],
  // traces
  [
    "traces missing file",
    ["traces", join(scratch, "none.json")],
    /a trace file ".*none\.json" does not exist/,
  ],
  ["traces --min-repeats", ["traces", TRACE, "--min-repeats", "x"], /--min-repeats must be a whole number/],
  ["traces -o folder", ["traces", TRACE, "-o", scratch], /--output ".*" cannot be written: it is a folder/],
  // migrate lint / trace
  [
    "migrate lint --pg-version 12",
    ["migrate", "lint", MIGRATION, "--pg-version", "12"],
    /--pg-version must be a whole number from 13 to 18, got "12"\. Run dbopt migrate lint --help/,
  ],
  [
    "migrate lint --fail-on",
    ["migrate", "lint", MIGRATION, "--fail-on", "never"],
    /--fail-on must be one of error, warning, info/,
  ],
  ["migrate lint --format", ["migrate", "lint", MIGRATION, "--format", "xml"], /--format must be one of /],
  [
    "migrate lint missing path",
    ["migrate", "lint", join(scratch, "migrations")],
    /a migration path ".*migrations" does not exist/,
  ],
  [
    "migrate lint --schema missing",
    ["migrate", "lint", MIGRATION, "--schema", join(scratch, "s.sql")],
    /--schema ".*s\.sql" does not exist/,
  ],
  [
    "migrate trace --rows",
    ["migrate", "trace", MIGRATION, "--rows", "orders=many"],
    /--rows must be table=N/,
  ],
  [
    "migrate trace --db",
    ["migrate", "trace", MIGRATION, "--db", "orders", "--sandbox"],
    /--db must be a database URL like postgresql:\/\/user@host:5432\/dbname or mysql:\/\//,
  ],
  [
    "migrate trace --format",
    ["migrate", "trace", MIGRATION, "--format", "markdown"],
    /--format must be one of terminal, json/,
  ],
  // rewrite
  [
    "rewrite --top abc",
    ["rewrite", "--db", NOWHERE, "--top", "abc"],
    /--top must be a whole number from 1 to 1000/,
  ],
  [
    "rewrite --runs 0",
    ["rewrite", "--db", NOWHERE, "--sql", "select 1", "--runs", "0"],
    /--runs must be a whole number/,
  ],
  [
    "rewrite --parameter-sets many",
    ["rewrite", "--db", NOWHERE, "--sql", "select 1", "--parameter-sets", "many"],
    /--parameter-sets must be a whole number/,
  ],
  ["rewrite with no statements", ["rewrite", "--db", NOWHERE], /no statement to rewrite/],
  [
    "rewrite --sql and --top",
    ["rewrite", "--db", NOWHERE, "--sql", "select 1", "--top", "3"],
    /a file, --sql and --top each give the statements/,
  ],
  ["rewrite missing file", ["rewrite", "--db", NOWHERE, join(scratch, "absent.sql")], /absent\.sql/],
  ["rewrite broken SQL", ["rewrite", "--db", NOWHERE, "--sql", "selec 1 from"], /--sql does not parse/],
  [
    "rewrite --format pdf",
    ["rewrite", "--db", NOWHERE, "--sql", "select 1", "--format", "pdf"],
    /--format must be one of/,
  ],
  // bench
  [
    "bench --clients 0",
    ["bench", "--db", NOWHERE, "--from-stats", "--clients", "0"],
    /--clients must be a whole number from 1 to 1000/,
  ],
  [
    "bench --duration soon",
    ["bench", "--db", NOWHERE, "--from-stats", "--duration", "soon"],
    /--duration must be a duration/,
  ],
  [
    "bench --protocol extended",
    ["bench", "--db", NOWHERE, "--from-stats", "--protocol", "extended"],
    /--protocol must be one of prepared, simple, got "extended"/,
  ],
  [
    "bench --duration and --transactions",
    ["bench", "--db", NOWHERE, "--from-stats", "--duration", "5s", "--transactions", "100"],
    /--duration and --transactions both say when to stop/,
  ],
  ["bench with no workload", ["bench", "--db", NOWHERE], /no workload given/],
  [
    "bench --workload and --from-stats",
    ["bench", "--db", NOWHERE, "--workload", MIGRATION, "--from-stats"],
    /--workload and --from-stats both give the workload/,
  ],
  [
    "bench variant setup without --sandbox",
    ["bench", "--db", NOWHERE, "--from-stats", "--variant-b-setup", MIGRATION],
    /variant setup and teardown SQL change the database/,
  ],
  [
    "bench --variant-a-sql alone",
    ["bench", "--db", NOWHERE, "--variant-a-sql", "select 1"],
    /--variant-a-sql and --variant-b-sql go together/,
  ],
  [
    "bench --rounds 1",
    ["bench", "--db", NOWHERE, "--variant-a-sql", "select 1", "--variant-b-sql", "select 2", "--rounds", "1"],
    /a comparison needs two rounds of each variant at least/,
  ],
  [
    "bench missing workload",
    ["bench", "--db", NOWHERE, "--workload", join(scratch, "absent.sql")],
    /absent\.sql/,
  ],
  [
    "bench --format html",
    ["bench", "--db", NOWHERE, "--from-stats", "--format", "html"],
    /--format must be one of terminal, json, markdown/,
  ],
  [
    "rewrite --fail-on",
    ["rewrite", "--db", NOWHERE, "--sql", "select 1", "--fail-on", "warning"],
    /--fail-on is for reports with findings/,
  ],
  // rules
  [
    "rules --format",
    ["rules", "--format", "html"],
    /--format must be one of terminal, markdown, got "html"\. Run dbopt rules --help/,
  ],
  // mysql:// and mariadb://: each option works or is refused before connecting, never ignored
  [
    "check mysql --fail-on",
    ["check", "--db", MYSQL_NOWHERE, "--fail-on", "fatal"],
    /--fail-on must be one of error, warning, info, got "fatal"/,
  ],
  [
    "check mysql --exact",
    ["check", "--db", MYSQL_NOWHERE, "--exact"],
    /--exact does not apply to MySQL\/MariaDB .*pgstattuple/,
  ],
  [
    "check mysql --cpus --storage",
    ["check", "--db", MYSQL_NOWHERE, "--cpus", "4", "--storage", "hdd"],
    /--cpus and --storage do not apply to MySQL\/MariaDB/,
  ],
  ["check mysql --ram", ["check", "--db", MYSQL_NOWHERE, "--ram", "lots"], /--ram must be a size/],
  [
    "check mysql --set unknown rule",
    ["check", "--db", MYSQL_NOWHERE, "--set", "health/unused-index.minStatsDays=1"],
    /--set health\/unused-index\.minStatsDays=1 names no (MySQL\/MariaDB )?rule/,
  ],
  [
    "analyze mysql --sandbox",
    ["analyze", "--db", MYSQL_NOWHERE, "--sandbox"],
    /--sandbox does not apply to MySQL\/MariaDB .*dbopt advise --sandbox/,
  ],
  [
    "analyze mysql --storage",
    ["analyze", "--db", MYSQL_NOWHERE, "--storage", "ssd"],
    /--storage does not apply to MySQL\/MariaDB/,
  ],
  [
    "analyze mysql --save-snapshot folder",
    ["analyze", "--db", MYSQL_NOWHERE, "--save-snapshot", scratch],
    /--save-snapshot ".*" cannot be written: it is a folder/,
  ],
  [
    "tune mysql --workload",
    ["tune", "--db", MYSQL_NOWHERE, "--ram", "16GB", "--workload", "dw"],
    /--workload does not apply to MySQL\/MariaDB/,
  ],
  [
    "tune mysql --cpus",
    ["tune", "--db", MYSQL_NOWHERE, "--ram", "16GB", "--cpus", "8"],
    /--cpus does not apply to MySQL\/MariaDB/,
  ],
  [
    "tune mysql --connections",
    ["tune", "--db", MYSQL_NOWHERE, "--ram", "16GB", "--connections", "many"],
    /--connections must be a whole number/,
  ],
  [
    "tune mysql --storage bad",
    ["tune", "--db", MYSQL_NOWHERE, "--ram", "16GB", "--storage", "nvme"],
    /--storage must be one of ssd, hdd, san, got "nvme"/,
  ],
  [
    "explain mysql --snapshot",
    ["explain", "--db", MYSQL_NOWHERE, "--sql", "select 1", "--snapshot", PLAN],
    /--snapshot does not apply to MySQL\/MariaDB/,
  ],
  ["advise mysql --apply", ["advise", "--db", MYSQL_NOWHERE, "--apply"], /--apply is for PostgreSQL/],
  [
    "advise mysql --sample",
    ["advise", "--db", MYSQL_NOWHERE, "--sample", "200%"],
    /--sample must be a percentage/,
  ],
];

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("no command", () => {
  it.each([[[]], [["migrate"]]])("dbopt %j prints the help on standard error and exits 2", async (args) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^Usage: dbopt/);
    expect(r.stderr).not.toMatch(/error:/);
  });
});

describe.concurrent("every bad option value: exit 2, one line, nothing on standard output, no work", () => {
  it.each(CASES)("%s", async (_name, args, message) => {
    const r = await runCli(args);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^dbopt: error: /);
    expect(lines[0]).toMatch(message);
    expect(r.code, r.stderr).toBe(2);
    expect(existsSync(NOT_WRITTEN)).toBe(false);
  });
});
