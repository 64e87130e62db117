/**
 * Heroku Postgres logs as logplex writes them (`heroku logs -p postgres`, a log drain):
 *
 *   2019-03-14T00:22:56+00:00 app[postgres.4882]: [GREEN] [15-1]  sql_error_code = 00000 LOG:  process ...
 *   2021-09-07T04:01:27+00:00 d.af28b93f-... app[postgres.5925] [AQUA] [921320-2]         (
 *
 * The dyno name carries the server's pid, `[GREEN]` is the database's attachment colour (not its name), and
 * `[15-1]` numbers the message (15) and its line (1): lines 2 and later continue the message unless they start a
 * DETAIL, STATEMENT ... of their own. Heroku's log_line_prefix is `sql_error_code = %e `. `app[heroku-postgres]`
 * lines are the add-on's metrics samples (`sample#db_size=...`), not server messages. Lines are turned back into
 * the stderr form `<time> [<pid>] <prefix and message>`, read with the prefix "%m [%p] " + Heroku's. The layout
 * follows pgBadger's logplex parser and its captures (t/fixtures/logplex.gz).
 */

const LINE =
  /^(?<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) (?:\S+ )?(?<source>app|heroku)\[(?<dyno>[^\]\s]+)\]:? /;
const POSTGRES = /^postgres\.(\d+)$/;
const NUMBERED = /^\[[A-Z0-9_]+\] \[\d+-(\d+)\] ?/;

export const LOGPLEX_PREFIX = "%m [%p] ";

export type LogplexLine = { kind: "postgres"; line: string } | { kind: "metrics" } | { kind: "other" };

export function isLogplexLine(line: string): boolean {
  const m = LINE.exec(line);
  return m !== null && (POSTGRES.test(m.groups?.dyno ?? "") || m.groups?.dyno === "heroku-postgres");
}

export function logplexLine(line: string): LogplexLine | null {
  const m = LINE.exec(line);
  const g = m?.groups;
  if (!m || !g) return null;
  if (g.dyno === "heroku-postgres") return { kind: "metrics" };
  const pid = POSTGRES.exec(g.dyno ?? "")?.[1];
  if (!pid) return { kind: "other" };
  let rest = line.slice(m[0].length);
  const n = NUMBERED.exec(rest);
  if (!n) return { kind: "other" };
  rest = rest.slice(n[0].length);
  if (n[1] !== "1" && !/^\s*sql_error_code = /.test(rest))
    return { kind: "postgres", line: `\t${rest.replace(/^\t/, "")}` };
  return { kind: "postgres", line: `${stderrTime(g.time ?? "")} [${pid}] ${rest.trimStart()}` };
}

/** The prefix text after the stderr form's time and pid (for prefix detection), or null. */
export function logplexMessage(line: string): string | null {
  const l = logplexLine(line);
  if (l?.kind !== "postgres" || l.line.startsWith("\t")) return null;
  return l.line.replace(/^\S+ \S+ \[\d+\] /, "");
}

function stderrTime(iso: string): string {
  return iso.replace("T", " ").replace(/Z$/, "+00:00");
}
