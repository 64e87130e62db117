/**
 * PostgreSQL logs written through syslog (log_destination = syslog): each line carries the syslog daemon's
 * header — `Nov 26 19:50:05 host postgres[23254]: [140-2] ` (traditional) or `2026-11-26T19:50:05.264+00:00 host
 * postgres[23254]: [140-2] ` (RFC 3339) — then either the server's log_line_prefix and message, or, for the
 * second and later lines of a message, `#011` (an escaped tab) and the text. Lines are turned back into the
 * stderr form, `<time> [<pid>] <the rest>`, so that the stderr reader reads them with the prefix "%m [%p] " +
 * the server's own. journalctl's output (`-o short`, `-o short-iso` with its `+0000` offset) has the same header,
 * and the server's whole stderr line after it.
 */
const HEADER =
  /^(?:(?<month>[A-Z][a-z]{2}) +(?<day>\d{1,2}) (?<clock>\d\d:\d\d:\d\d)|(?<iso>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))) \S+ [^\s[]+\[(?<pid>\d+)\]: (?:\[\d+-(?<part>\d+)\] )?/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export const SYSLOG_PREFIX = "%m [%p] ";

export function isSyslogLine(line: string): boolean {
  return HEADER.test(line);
}

/** The text after the syslog header, for prefix detection; null when the line is not from syslog. */
export function syslogMessage(line: string): string | null {
  const m = HEADER.exec(line);
  return m ? line.slice(m[0].length) : null;
}

/**
 * The line in stderr form, or null when it is not a syslog line. Traditional syslog times have no year: the
 * given one is used (the current year by default), and they are read as UTC.
 */
export function syslogToStderr(line: string, year = new Date().getUTCFullYear()): string | null {
  const m = HEADER.exec(line);
  const g = m?.groups;
  if (!m || !g) return null;
  const rest = line.slice(m[0].length).replaceAll("#011", "\t");
  // Second and later lines of one message: a continuation, as stderr writes them (journald keeps the tab and
  // numbers no lines).
  if (rest.startsWith("\t") && (!g.part || g.part !== "1")) return rest;
  let time: string;
  if (g.iso) time = g.iso.replace("T", " ").replace(/Z$/, "+00:00");
  else {
    const month = String(MONTHS.indexOf(g.month ?? "") + 1).padStart(2, "0");
    time = `${year}-${month}-${(g.day ?? "").padStart(2, "0")} ${g.clock} UTC`;
  }
  return `${time} [${g.pid}] ${rest}`;
}
