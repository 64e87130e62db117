/** Output of `dbopt logs`: the top statements by total time, N+1 patterns with their batched rewrite, the rest,
 * and what PgBouncer logs said. */
import type { PgBouncerSummary } from "../../facts/logs/pgbouncer-log.js";
import type { LogReport } from "../../pipeline/analyze-logs.js";
import { formatBytes, formatCount, formatMs } from "../../util/format.js";
import { nPlusOneLines } from "../terminal/n-plus-one-list.js";
import { createPalette } from "../terminal/palette.js";

export function renderLogReport(
  given: LogReport,
  format: "terminal" | "json",
  colour = false,
  top = 15,
): string {
  if (format === "json") return `${JSON.stringify(given, null, 2)}\n`;
  // What the log holds reaches the terminal without its control characters: a logged statement cannot move the
  // cursor, clear the screen or retitle the window.
  const report = withoutControls(given);
  const p = createPalette(colour);
  const bytes = report.files.reduce((s, f) => s + f.bytes, 0);
  const when = (t: number | null) =>
    t === null ? "?" : new Date(t).toISOString().replace("T", " ").slice(0, 19);
  const lines = [
    p.bold(
      `dbopt logs: ${report.files.map((f) => `${f.name} (${f.format}${f.prefix ? `, prefix '${f.prefix}'` : ""})`).join(", ")}`,
    ),
    `${formatBytes(bytes)}, ${report.files.reduce((s, f) => s + f.records, 0).toLocaleString("en-US")} messages in ${report.seconds.toFixed(2)} s (${formatBytes(bytes / Math.max(report.seconds, 0.001))}/s); ${when(report.period.first)} to ${when(report.period.last)}`,
  ];
  // A PgBouncer log alone has no statements to count.
  if (report.statementCount > 0 || report.files.some((f) => f.format !== "pgbouncer"))
    lines.push(
      `${report.statementCount.toLocaleString("en-US")} statements, ${formatMs(report.totalMs)} in all, ${report.statements.length} distinct`,
    );
  lines.push("");
  for (const f of report.files.filter((x) => x.skipped > 0))
    lines.push(
      p.yellow(
        `${f.skipped.toLocaleString("en-US")} line${f.skipped === 1 ? "" : "s"} of ${f.name} did not read as log messages and were skipped; the first: ${f.firstSkipped ?? ""}`,
      ),
      "",
    );
  for (const f of report.files.filter((x) => x.ignored?.length))
    lines.push(
      p.dim(
        `Left out of ${f.name}, as not the server's messages: ${f.ignored.map((i) => `${i.lines.toLocaleString("en-US")} ${i.what}`).join(", ")}`,
      ),
      "",
    );
  for (const f of report.files.filter((x) => x.reversed))
    lines.push(
      p.dim(`${f.name} runs newest first (a log viewer's export): read last line first, oldest first`),
      "",
    );
  for (const f of report.files.filter((x) => x.newestFirst))
    lines.push(
      p.yellow(
        `${f.name} runs newest first: messages that span lines and N+1 loops are read out of order; give it oldest first (tac FILE | dbopt logs -; zcat FILE | tac | dbopt logs - when compressed; jq -c 'reverse[]' for a JSON array)`,
      ),
      "",
    );
  const serverLogs = report.files.some((f) => f.format !== "pgbouncer");
  if (report.statementCount === 0 && serverLogs)
    lines.push(
      p.yellow(
        "No statement durations in this log: set log_min_duration_statement (0 logs every statement) and, for parameters, keep log_parameter_max_length at its default.",
      ),
      "",
    );
  if (report.statements.length) {
    lines.push(p.bold("Statements by total time"));
    // Slow query logs count rows: examined per row sent shows where an index is missing.
    const rows = report.statements.some((s) => s.rowsExamined !== null);
    lines.push(
      p.dim(`     total   share    calls     mean      p95      max${rows ? "  examined/sent" : ""}  query`),
    );
    for (const s of report.statements.slice(0, top)) {
      const share = 100 * s.share;
      const examined = rows
        ? `  ${`${formatCount(s.rowsExamined ?? 0)}/${formatCount(s.rowsSent ?? 0)}`.padStart(13)}`
        : "";
      lines.push(
        `${formatMs(s.totalMs).padStart(10)} ${`${share.toFixed(1)}%`.padStart(7)} ${s.calls.toLocaleString("en-US").padStart(8)} ${formatMs(s.meanMs).padStart(8)} ${formatMs(s.p95Ms).padStart(8)} ${formatMs(s.maxMs).padStart(8)}${examined}  ${s.query.replace(/\s+/g, " ").slice(0, 100)}`,
      );
    }
    lines.push("");
    // The heaviest statements as they ran: what to paste into EXPLAIN, and who ran them when.
    const heaviest = report.statements
      .slice(0, Math.min(3, top))
      .filter((s) => s.example.durationMs !== null);
    if (heaviest.length) {
      lines.push(p.bold("Slowest calls of the heaviest statements"));
      for (const s of heaviest) {
        const who = [
          s.users[0],
          s.databases[0] ? `@${s.databases[0]}` : "",
          s.applications[0] ? ` (${s.applications[0]})` : "",
        ].join("");
        lines.push(
          `  ${formatMs(s.example.durationMs ?? 0)}${who ? ` by ${who}` : ""}, ${when(s.firstSeen) === when(s.lastSeen) ? `at ${when(s.firstSeen)}` : `seen ${when(s.firstSeen)} to ${when(s.lastSeen)}`}`,
        );
        lines.push(p.dim(`    ${s.example.sql.replace(/\s+/g, " ").slice(0, 200)}`));
        if (s.example.parameters) lines.push(p.dim(`    with ${s.example.parameters.slice(0, 200)}`));
      }
      lines.push("");
    }
  }
  for (const n of report.nPlusOne)
    lines.push(
      ...nPlusOneLines(
        {
          ...n,
          where: null,
          source: n.source.query,
          repeated: n.repeated.query,
          notes: n.exampleParameters.length ? [`with ${n.exampleParameters.slice(0, 3).join("; ")} ...`] : [],
        },
        p,
      ),
    );
  const e = report.events;
  const other: string[] = [];
  if (e.errors.length)
    other.push(
      `errors: ${e.errors.reduce((s, x) => s + x.count, 0)} (${e.errors
        .slice(0, 3)
        .map((x) => `${x.count}× ${x.sqlstate ? `${x.sqlstate} ` : ""}${x.message.slice(0, 60)}`)
        .join("; ")})`,
    );
  if (e.lockWaits.count)
    other.push(
      `lock waits: ${e.lockWaits.count}, longest ${formatMs(e.lockWaits.maxMs)} (${Object.entries(
        e.lockWaits.byMode,
      )
        .map(([m, n]) => `${n}× ${m}`)
        .join(", ")})`,
    );
  if (e.deadlocks) other.push(`deadlocks: ${e.deadlocks}`);
  if (e.tempFiles.count)
    other.push(
      `temp files: ${e.tempFiles.count}, ${formatBytes(e.tempFiles.totalBytes)} in all, largest ${formatBytes(e.tempFiles.maxBytes)}`,
    );
  if (e.checkpoints.count)
    other.push(
      `checkpoints: ${e.checkpoints.count} (${Object.entries(e.checkpoints.byReason)
        .map(([r, n]) => `${n} ${r}`)
        .join(", ")}), longest ${e.checkpoints.maxSeconds} s`,
    );
  if (e.autovacuum.vacuums + e.autovacuum.analyzes)
    other.push(`autovacuum: ${e.autovacuum.vacuums} vacuums, ${e.autovacuum.analyzes} analyzes`);
  if (report.plans) other.push(`auto_explain plans: ${report.plans}`);
  const planned = report.slowestPlans.filter((x) => x.findings.length);
  if (planned.length) {
    lines.push(p.bold("In the slowest auto_explain plans"));
    for (const plan of planned) {
      lines.push(`  ${formatMs(plan.durationMs)}  ${(plan.sql ?? "").replace(/\s+/g, " ").slice(0, 110)}`);
      for (const f of plan.findings.slice(0, 3)) lines.push(`    ${f.severity}: ${f.title}`);
    }
    lines.push("");
  }
  if (other.length) lines.push(p.bold("Also in the log"), ...other.map((o) => `  ${o}`), "");
  if (report.pgbouncer) lines.push(...pgBouncerLines(report.pgbouncer, p, when), "");
  for (const f of report.files) {
    const m = f.herokuMetrics;
    if (!m) continue;
    const rate = (x: number | null) => (x === null ? "?" : `${(100 * x).toFixed(2)}%`);
    lines.push(
      p.bold(`Heroku Postgres metrics in ${f.name} (${m.samples} samples)`),
      `  database ${m.dbSizeBytes === null ? "?" : formatBytes(m.dbSizeBytes)}; up to ${m.maxActiveConnections ?? "?"} active and ${m.maxWaitingConnections ?? "?"} waiting connections; cache hit rate down to ${rate(m.minIndexCacheHitRate)} (indexes) and ${rate(m.minTableCacheHitRate)} (tables); load up to ${m.maxLoadAvg1m ?? "?"}`,
      "",
    );
  }
  return `${lines.join("\n")}\n`;
}

/** What a PgBouncer log says: the load it saw, clients it turned away, and why connections closed. */
function pgBouncerLines(
  b: PgBouncerSummary,
  p: ReturnType<typeof createPalette>,
  when: (t: number | null) => string,
): string[] {
  const n = (x: number) => x.toLocaleString("en-US");
  const us = (x: number) => formatMs(x / 1000);
  const out = [
    p.bold(
      `PgBouncer${b.version ? ` ${b.version}` : ""}${b.maxClientConn !== null ? ` (max_client_conn ${b.maxClientConn})` : ""}`,
    ),
    `  logins: ${n(b.logins)} from ${n(b.clients)} client address${b.clients === 1 ? "" : "es"}; ${n(b.serverConnections)} server connections opened`,
  ];
  if (b.loginsBy.length)
    out.push(
      `  by database/user: ${b.loginsBy
        .slice(0, 5)
        .map((l) => `${l.database ?? "?"}/${l.user ?? "?"} ${n(l.count)}`)
        .join(", ")}${b.loginsBy.length > 5 ? `, ${b.loginsBy.length - 5} more` : ""}`,
    );
  if (b.stats) {
    const s = b.stats;
    out.push(
      `  load (${n(s.intervals)} stats lines): ${n(s.xactsPerSecond.mean)} xacts/s and ${n(s.queriesPerSecond.mean)} queries/s on average, peaks ${n(s.xactsPerSecond.max)} and ${n(s.queriesPerSecond.max)}; query ${us(s.queryUs.mean)} on average (worst interval ${us(s.queryUs.max)})`,
    );
    const wait = `  clients waited for a server connection ${us(s.waitUs.mean)} on average, ${us(s.waitUs.max)} in the worst interval${s.waitUs.maxAt !== null ? ` (${when(s.waitUs.maxAt)})` : ""}`;
    out.push(
      s.waitUs.max >= 100_000
        ? p.yellow(`${wait}: the pool is too small for the load, or transactions hold connections too long`)
        : wait,
    );
  }
  for (const e of b.errors.slice(0, 6)) {
    const who = e.clients.filter((c) => c !== "?/?");
    out.push(
      p.yellow(
        `  ${e.level.toLowerCase()}: ${n(e.count)}× ${e.message}${who.length ? ` (${who.join(", ")})` : ""}${e.addresses.length ? ` from ${e.addresses.join(", ")}` : ""}${adviceFor(e.message)}`,
      ),
    );
  }
  const closes = b.closes.filter((c) => c.reason !== "client close request");
  if (closes.length)
    out.push(
      `  connections closed: ${closes
        .slice(0, 6)
        .map((c) => `${n(c.count)} ${c.side} ${c.reason}`)
        .join("; ")}`,
    );
  return out;
}

function adviceFor(message: string): string {
  if (message.includes("max_client_conn"))
    return " — raise max_client_conn, or find the clients that hold connections";
  if (message.includes("query_wait_timeout"))
    return " — clients waited for a server connection longer than query_wait_timeout: raise default_pool_size or shorten transactions";
  if (message.includes("no such database")) return " — a client names a database missing from [databases]";
  if (message.includes("password authentication failed") || message.includes("login failed"))
    return " — a client has a wrong password (auth_file / auth_query)";
  return "";
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters to escape.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function withoutControls<T>(value: T): T {
  if (typeof value === "string")
    return value.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`) as T;
  if (Array.isArray(value)) return value.map(withoutControls) as T;
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutControls(v)])) as T;
  return value;
}
