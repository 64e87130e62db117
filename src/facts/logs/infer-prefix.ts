/**
 * A log_line_prefix read off the log itself, for prefixes none of the common ones match: the text before the
 * level keyword (`LOG:  `) of the fullest line, with the pieces PostgreSQL's escapes produce recognised — a
 * timestamp (%m with milliseconds, %t without), `[12345]` (%p), `[3-1]` (%l), `user=`/`db=`/`app=`/`client=`
 * values (and keys that start so: `appli=`, `username=`), `queryid=` (%Q), `user@db`, a session id (%c), a second
 * bracketed number after the pid (`[0]`: %x, the transaction id) — and the rest kept as written. `%q` is tried before each escape, since
 * background processes stop the prefix there. The result must match most lines, as a given prefix would.
 */
import { prefixRegex } from "./log-line-prefix.js";
import { LEVELS } from "./log-record.js";

/** A message's level keyword (not DETAIL, HINT ...: their lines follow the message they belong to). */
const LEVEL_AT = new RegExp(` ?(?:${LEVELS.join("|")}):  `);

/** Pieces tried at each position, in order: the first that matches there wins. */
const PIECES: Array<[RegExp, (m: RegExpExecArray, seen: Set<string>) => string]> = [
  [/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+(?: [A-Za-z][A-Za-z0-9/_+-]*|[+-]\d\d(?::?\d\d)?)?/y, () => "%m"],
  [/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: [A-Za-z][A-Za-z0-9/_+-]*|[+-]\d\d(?::?\d\d)?)?/y, () => "%t"],
  [/\d{10}\.\d{3}/y, () => "%n"],
  [/[0-9a-f]{6,}\.[0-9a-f]+/y, () => "%c"],
  [/\[\d+-\d+\]/y, () => "[%l-1]"],
  // The first bracketed number is the pid; one after it is a transaction id (%x, 0 outside a transaction).
  [/\[\d+\]/y, (_m, seen) => (seen.has("%p") ? "[%x]" : "[%p]")],
  [/(pid|process)=\d+/y, (m) => `${m[1]}=%p`],
  [/(query_?id)=-?\d+/y, (m) => `${m[1]}=%Q`],
  [/(user\w*|usr|role)=[^,\s\]/]*/y, (m) => `${m[1]}=%u`],
  [/(db\w*|database)=[^,\s\]/]*/y, (m) => `${m[1]}=%d`],
  [/(app\w*)=[^,\s\]]*/y, (m) => `${m[1]}=%a`],
  [/(client\w*|host\w*|remote\w*)=[^,\s\]]*/y, (m) => `${m[1]}=%h`],
  [/(session|sid|session_id)=[^,\s\]]*/y, (m) => `${m[1]}=%c`],
  [/[^\s@[\]/]+@[^\s@[\]/]+/y, () => "%u@%d"],
  [/[^\s@[\]/()]+\/[^\s@[\]/()]+\/[^\s@[\]/()]+/y, () => "%u/%d/%a"],
  [/[^\s@[\]/()]+\/[^\s@[\]/()]+/y, () => "%u/%d"],
];

export function inferPrefix(lines: string[]): string | null {
  const instances = lines
    .filter((l) => l && l.charCodeAt(0) !== 9)
    .map((l) => {
      const m = LEVEL_AT.exec(l);
      return m ? l.slice(0, m.index + (m[0].startsWith(" ") ? 1 : 0)) : null;
    })
    .filter((p): p is string => p !== null);
  if (instances.length === 0) return null;
  // The fullest prefix: a client session's line, with user and database, over a background process's.
  const fullest = instances.reduce((a, b) => (b.length > a.length ? b : a));
  const tokens = template(fullest);
  const escapes = tokens.flatMap((t, i) => (t.startsWith("%") && t !== "%%" ? [i] : []));
  const candidates = [tokens.join("")];
  for (const i of escapes.slice(1))
    candidates.push([...tokens.slice(0, i), "%q", ...tokens.slice(i)].join(""));
  const lineSet = lines.filter((l) => l && l.charCodeAt(0) !== 9);
  let best: { prefix: string; hits: number } | null = null;
  for (const prefix of candidates) {
    const re = prefixRegex(prefix);
    const hits = lineSet.filter((l) => re.test(l)).length;
    if (!best || hits > best.hits) best = { prefix, hits };
  }
  return best && best.hits >= Math.max(1, lineSet.length * 0.8) ? best.prefix : null;
}

/** The prefix instance as escapes and literal text, one token each. */
function template(instance: string): string[] {
  const tokens: string[] = [];
  const seen = new Set<string>();
  let literal = "";
  for (let i = 0; i < instance.length; ) {
    let matched = false;
    for (const [re, toEscape] of PIECES) {
      re.lastIndex = i;
      const m = re.exec(instance);
      if (!m || m[0].length === 0) continue;
      if (literal) tokens.push(literal);
      literal = "";
      const prefixEscape = toEscape(m, seen);
      for (const e of prefixEscape.match(/%[a-zA-Z]/g) ?? []) seen.add(e);
      tokens.push(prefixEscape);
      i += m[0].length;
      matched = true;
      break;
    }
    if (matched) continue;
    const ch = instance[i] as string;
    literal += ch === "%" ? "%%" : ch;
    i++;
  }
  if (literal) tokens.push(literal);
  return tokens;
}
