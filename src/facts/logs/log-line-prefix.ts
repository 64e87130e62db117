/**
 * log_line_prefix as a regular expression: each escape becomes a named group, literal text is matched as is,
 * and %q makes the rest optional (background processes stop the prefix there). The level keyword and the
 * message follow the prefix.
 */
import { ATTACHED, LEVELS } from "./log-record.js";

/** A time as %m/%t write it, or in RFC 3339 form (with a T), as CloudWatch puts in front of RDS lines. */
const TIMESTAMP = String.raw`\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?: ?[A-Za-z][A-Za-z0-9/_+-]*|[+-]\d\d(?::?\d\d)?)?`;

const ESCAPES: Record<string, string> = {
  a: "(?<app>.*?)",
  u: "(?<user>.*?)",
  d: "(?<db>.*?)",
  r: "(?:.*?)",
  h: "(?:.*?)",
  b: "(?:.*?)",
  p: String.raw`(?<pid>\d+)`,
  P: String.raw`(?:\d*)`,
  t: `(?<time>${TIMESTAMP})`,
  m: `(?<time>${TIMESTAMP})`,
  n: String.raw`(?<epoch>\d+(?:\.\d+)?)`,
  i: "(?:.*?)",
  e: "(?<sqlstate>[0-9A-Z]{5})",
  c: String.raw`(?<session>[0-9a-f]+\.[0-9a-f]+)`,
  l: String.raw`(?:\d+)`,
  s: `(?:${TIMESTAMP})`,
  v: "(?<vxid>[^ \\]]*?)",
  x: String.raw`(?:\d+)`,
  Q: String.raw`(?:-?\d+)`,
};

const LEVEL = `(?<level>${[...LEVELS, ...ATTACHED].join("|")})`;

export function prefixRegex(prefix: string): RegExp {
  let body = "";
  let optional = false;
  const used = new Set<string>();
  for (let i = 0; i < prefix.length; i++) {
    const ch = prefix[i] as string;
    if (ch !== "%") {
      body += ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      continue;
    }
    const code = prefix[++i] ?? "";
    if (code === "%") body += "%";
    else if (code === "q") {
      body += "(?:";
      optional = true;
    } else {
      // A name may appear twice (%m ... %t); only the first keeps its group.
      let group = ESCAPES[code] ?? "(?:.*?)";
      const name = /\?<(\w+)>/.exec(group)?.[1];
      if (name && used.has(name)) group = group.replace(`?<${name}>`, "?:");
      if (name) used.add(name);
      body += group;
    }
  }
  if (optional) body += ")?";
  return new RegExp(`^${body}${LEVEL}:  (?<message>.*)$`);
}

export type PrefixField =
  | "time"
  | "epoch"
  | "pid"
  | "user"
  | "db"
  | "app"
  | "session"
  | "vxid"
  | "sqlstate"
  | "level"
  | "message";

/** The prefix's expression with plain numbered groups (named groups build an object per match: a third slower on
 * millions of lines), and each field's group number (0 when the prefix lacks it: m[0] is never a field).
 * `head` is the same expression up to the level's ":  ", without the message: its first match is the full
 * expression's whenever the rest of the line holds no line terminator (\r, U+2028, U+2029) that `(.*)$` would
 * stop at, and it spares matching and copying the message, the longest part of most lines. */
export function compilePrefix(prefix: string): {
  re: RegExp;
  head: RegExp;
  field: Record<PrefixField, number>;
} {
  const source = prefixRegex(prefix).source;
  const field = {
    time: 0,
    epoch: 0,
    pid: 0,
    user: 0,
    db: 0,
    app: 0,
    session: 0,
    vxid: 0,
    sqlstate: 0,
    level: 0,
    message: 0,
  };
  let n = 0;
  const plain = source.replace(/\(\?<(\w+)>/g, (_, name: string) => {
    field[name as PrefixField] = ++n;
    return "(";
  });
  const MESSAGE = "(.*)$";
  if (!plain.endsWith(MESSAGE)) throw new Error("a log_line_prefix expression ends with its message");
  return { re: new RegExp(plain), head: new RegExp(plain.slice(0, -MESSAGE.length)), field };
}

/** Prefixes seen in the wild: PostgreSQL's default, Debian's, pgBadger's recommended ones (for stderr and for
 * syslog), Amazon RDS's, Google Cloud SQL's, Heroku's, and none. */
export const COMMON_PREFIXES = [
  "%m [%p] ",
  "%m [%p] %q%u@%d ",
  "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
  "%t [%p]: user=%u,db=%d,app=%a,client=%h ",
  "%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
  "%m [%p] %q[user=%u,db=%d,app=%a] ",
  "%t:%r:%u@%d:[%p]:",
  // RDS's lines exported from CloudWatch, its own time in front.
  "%m %t:%r:%u@%d:[%p]:",
  "%m [%p] %q%u@%d/%a ",
  "%t [%p-%l] %q%u@%d ",
  "%m %u %d [%p] ",
  "%t [%p] ",
  // pgBadger's other recommended order, and Google Cloud SQL's (the time comes from the Cloud Logging entry).
  "%t [%p]: db=%d,user=%u,app=%a,client=%h ",
  "%t [%p]: [%l-1] db=%d,user=%u,app=%a,client=%h ",
  "%t [%p]: db=%d,user=%u ",
  "%m [%p]: [%l-1] db=%d,user=%u ",
  "%t [%p]: [%l-1] db=%d,user=%u ",
  // Under syslog, which writes the time and the pid itself; Heroku's after its logplex header.
  "user=%u,db=%d,app=%a,client=%h ",
  "db=%d,user=%u,app=%a,client=%h ",
  "user=%u,db=%d ",
  "db=%d,user=%u ",
  "sql_error_code = %e ",
  "%u@%d ",
  "",
];
