/**
 * Google Cloud SQL for PostgreSQL (and AlloyDB) logs exported from Cloud Logging: one LogEntry per line (gcloud
 * logging read --format=json piped through jq -c, a sink to Cloud Storage) or a JSON array (the console's
 * download, turned into lines by json-array-lines.ts). Each entry carries one line the server wrote to stderr in
 * `textPayload`, with Cloud SQL's log_line_prefix — `[%p]: [%l-1] db=%d,user=%u ` — and, in newer exports, the
 * time in front; the entry's `timestamp` gives the time when the text has none. The continuation lines of a
 * message (autovacuum's details, a multi-line statement) are entries of their own whose text starts with a tab.
 * The shape follows pgBadger's real Cloud SQL capture (t/fixtures/cloudsql.log.gz) and Google's LogEntry docs.
 */

const STARTS_WITH_TIME = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d/;

/** Whether a parsed JSON object is a Cloud Logging entry (from Cloud SQL or anything else). */
export function isLogEntry(o: Record<string, unknown>): boolean {
  return (
    typeof o.textPayload === "string" ||
    (typeof o.logName === "string" && typeof o.timestamp === "string" && "resource" in o)
  );
}

/**
 * The stderr lines of one exported LogEntry, or null when the line is not a LogEntry with a textPayload (an
 * audit or another service's entry in the same export).
 */
export function cloudSqlLines(line: string): string[] | null {
  if (!line.startsWith("{")) return null;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  const text = o.textPayload;
  if (typeof text !== "string") return null;
  const parts = text.replace(/\r?\n$/, "").split(/\r?\n/);
  const first = parts[0] ?? "";
  const out: string[] = [];
  if (first.startsWith("\t") || STARTS_WITH_TIME.test(first)) out.push(first);
  else {
    const time = typeof o.timestamp === "string" ? stderrTime(o.timestamp) : null;
    out.push(time ? `${time} ${first}` : first);
  }
  for (const p of parts.slice(1)) out.push(p.startsWith("\t") ? p : `\t${p}`);
  return out;
}

/** An RFC 3339 time as stderr writes it with %m: "2020-05-02T13:00:20.382318Z" → "2020-05-02 13:00:20.382318 UTC". */
function stderrTime(iso: string): string | null {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d(?:\.\d+)?)(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (!m) return null;
  return `${m[1]} ${m[2]}${m[3] === "Z" ? " UTC" : m[3]}`;
}
