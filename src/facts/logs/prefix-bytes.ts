/**
 * log_line_prefix matched on a line's UTF-8 bytes, as `compilePrefix(prefix).head` matches the line's text: the
 * same tokens (log-line-prefix.ts's ESCAPES), tried in the order the regular expression tries them, backtracking
 * where it would (lazy `.*?` fields grow one byte at a time, greedy digit runs shrink), so that the same lines
 * match with the same fields. On bytes because the stderr reader then needs no string per line: the fields are
 * positions, and only the message and the fields that changed since the last line are decoded.
 *
 * The matcher is JavaScript generated for the prefix (one nested loop per token, the innermost tried first, as
 * a backtracking regular expression does), compiled once per reader: an interpreter of the tokens called itself
 * once per token and candidate position, and read a line slower than the regular expression on its text.
 *
 * Only for lines without a line terminator (\r, U+2028, U+2029) inside, which the regular expression's `.` would
 * stop at (the caller checks its chunk), and for prefixes written in ASCII (`bytePrefix` returns null otherwise).
 * Multi-byte characters inside fields are bytes 128 and up: every ASCII token fails on them, as on the character.
 */
import { ATTACHED, LEVELS } from "./log-record.js";

/** The fields a line's prefix can give, as indexes into `BytePrefix.start`/`end`. */
export const FIELD = {
  time: 0,
  epoch: 1,
  pid: 2,
  user: 3,
  db: 4,
  app: 5,
  session: 6,
  vxid: 7,
  sqlstate: 8,
} as const;
const FIELDS = 9;

enum Kind {
  /** Literal bytes. */
  Literal,
  /** \d+ (greedy). */
  Digits,
  /** \d* (greedy). */
  DigitsOrNone,
  /** -?\d+ */
  SignedDigits,
  /** .*? (lazy) */
  Any,
  /** [^ \]]*? (lazy) */
  NotSpaceOrBracket,
  /** [0-9A-Z]{5} */
  SqlState,
  /** [0-9a-f]+\.[0-9a-f]+ */
  Session,
  /** \d+(?:\.\d+)? */
  Epoch,
  /** log-line-prefix.ts's TIMESTAMP */
  Timestamp,
  /** %q: (?: the rest of the prefix )? */
  Optional,
  /** The level and ":  ". */
  Level,
}

interface Token {
  kind: Kind;
  /** The field the token captures, or -1. */
  field: number;
  bytes: Uint8Array;
  /** For a lazy field: the byte the next token must start with (its literal's first), -2 for the level (an upper
   * case letter), -1 for any. A lazy field grows past other bytes without trying the rest there, which fails. */
  stop: number;
}

const ESCAPE_KINDS: Record<string, { kind: Kind; field: keyof typeof FIELD | null }> = {
  a: { kind: Kind.Any, field: "app" },
  u: { kind: Kind.Any, field: "user" },
  d: { kind: Kind.Any, field: "db" },
  r: { kind: Kind.Any, field: null },
  h: { kind: Kind.Any, field: null },
  b: { kind: Kind.Any, field: null },
  p: { kind: Kind.Digits, field: "pid" },
  P: { kind: Kind.DigitsOrNone, field: null },
  t: { kind: Kind.Timestamp, field: "time" },
  m: { kind: Kind.Timestamp, field: "time" },
  n: { kind: Kind.Epoch, field: "epoch" },
  i: { kind: Kind.Any, field: null },
  e: { kind: Kind.SqlState, field: "sqlstate" },
  c: { kind: Kind.Session, field: "session" },
  l: { kind: Kind.Digits, field: null },
  s: { kind: Kind.Timestamp, field: null },
  v: { kind: Kind.NotSpaceOrBracket, field: "vxid" },
  x: { kind: Kind.Digits, field: null },
  Q: { kind: Kind.SignedDigits, field: null },
};

/** The levels in the regular expression's order (DEBUG before DEBUG1: the first followed by ":  " wins). */
export const LEVEL_NAMES: readonly string[] = [...LEVELS, ...ATTACHED];
const LEVEL_BYTES = LEVEL_NAMES.map((l) => Buffer.from(`${l}:  `, "latin1"));

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isHex = (c: number) => isDigit(c) || (c >= 97 && c <= 102);
/** [A-Za-z0-9/_+-] */
const isZoneChar = (c: number) => isLetter(c) || isDigit(c) || c === 47 || c === 95 || c === 43 || c === 45;

/** A generated matcher: where the message starts (or -1, -2), the fields' bounds written to S and E. */
type Matcher = (b: Uint8Array, pos: number, end: number, S: Int32Array, E: Int32Array) => number;

export class BytePrefix {
  /** Where each field starts and ends in the last line matched; -1 when the field took no part. */
  readonly start = new Int32Array(FIELDS).fill(-1);
  readonly end = new Int32Array(FIELDS).fill(-1);

  private constructor(
    private readonly matcher: Matcher,
    /** [0]: the level of the last line matched, an index into LEVEL_NAMES (the matcher writes it). */
    private readonly levelOut: Int32Array,
  ) {}

  get level(): number {
    return this.levelOut[0] as number;
  }

  /** The prefix's byte matcher, or null when it has text beyond printable ASCII (the caller reads text then). */
  static compile(prefix: string): BytePrefix | null {
    if (/[^ -~]/.test(prefix)) return null;
    const tokens = tokenize(prefix);
    if (!tokens) return null;
    const candidates = tokens.map(() => new Int32Array(MAX_CANDIDATES));
    const levelOut = new Int32Array(1);
    const source = generate(tokens);
    let make: (...args: unknown[]) => Matcher;
    try {
      make = new Function("C", "L", "levelAt", "timestamp", "epoch", "session", source) as typeof make;
    } catch {
      // Code generation refused (node --disallow-code-generation-from-strings): the text path reads the log.
      return null;
    }
    const matcher = make(candidates, levelOut, levelAt, timestampEnds, epochEnds, sessionEnds);
    return new BytePrefix(matcher, levelOut);
  }

  /** Match the line `b[from, to)`: the offset its message starts at, -1 when it does not match, -2 when the
   * line is too odd to be read here (a field with more than MAX_CANDIDATES ways to end): read it as text. */
  match(b: Uint8Array, from: number, to: number): number {
    // No reset of the fields: every field token on the path that matched wrote its own, a left-out %q part's are
    // cleared by the matcher, and fields the prefix lacks are never written.
    return this.matcher(b, from, to, this.start, this.end);
  }
}

/** Ways a timestamp, epoch or session field can end, kept per token; more and the line is read as text. */
const MAX_CANDIDATES = 256;
const TOO_MANY = -2;

function tokenize(prefix: string): Token[] | null {
  const tokens: Token[] = [];
  const used = new Set<string>();
  let optional = false;
  let literal = "";
  const flush = () => {
    if (literal)
      tokens.push({ kind: Kind.Literal, field: -1, bytes: Buffer.from(literal, "latin1"), stop: -1 });
    literal = "";
  };
  for (let i = 0; i < prefix.length; i++) {
    const ch = prefix[i] as string;
    if (ch !== "%") {
      literal += ch;
      continue;
    }
    const code = prefix[++i] ?? "";
    if (code === "%") {
      literal += "%";
      continue;
    }
    flush();
    if (code === "q") {
      // A second %q nests another optional group in the expression; rare enough to leave to it.
      if (optional) return null;
      optional = true;
      tokens.push({ kind: Kind.Optional, field: -1, bytes: new Uint8Array(0), stop: -1 });
      continue;
    }
    const token = ESCAPE_KINDS[code] ?? { kind: Kind.Any, field: null };
    // A name may appear twice (%m ... %t); only the first keeps its group, as in prefixRegex.
    let field = -1;
    if (token.field && !used.has(token.field)) {
      used.add(token.field);
      field = FIELD[token.field];
    }
    tokens.push({ kind: token.kind, field, bytes: new Uint8Array(0), stop: -1 });
  }
  flush();
  tokens.push({ kind: Kind.Level, field: -1, bytes: new Uint8Array(0), stop: -1 });
  for (const [i, token] of tokens.entries()) {
    const next = tokens[i + 1];
    if (token.kind !== Kind.Any && token.kind !== Kind.NotSpaceOrBracket) continue;
    if (next?.kind === Kind.Literal) token.stop = next.bytes[0] as number;
    else if (next?.kind === Kind.Level) token.stop = -2;
  }
  return tokens;
}

const DIGIT = (v: string) => `(${v} >= 48 && ${v} <= 57)`;

/** The matcher's body: tokens i.. from the position in variable `pos`, innermost loops tried first. */
function generate(tokens: Token[]): string {
  const level = tokens.length - 1;
  const capture = (t: Token, from: string, to: string) =>
    t.field < 0 ? "" : `S[${t.field}] = ${from}; E[${t.field}] = ${to};`;
  const gen = (i: number, pos: string): string => {
    const t = tokens[i] as Token;
    const next = `p${i + 1}`;
    switch (t.kind) {
      case Kind.Literal: {
        const checks = [...t.bytes].map((c, k) => `b[${pos} + ${k}] === ${c}`).join(" && ");
        return `if (${pos} + ${t.bytes.length} <= end && ${checks}) { const ${next} = ${pos} + ${t.bytes.length}; ${gen(i + 1, next)} }`;
      }
      case Kind.Digits:
      case Kind.DigitsOrNone:
      case Kind.SignedDigits: {
        const least = t.kind === Kind.DigitsOrNone ? 0 : 1;
        const sign = t.kind === Kind.SignedDigits ? `if (b[f${i}] === 45) f${i}++;` : "";
        return `{ let f${i} = ${pos}; ${sign} let j${i} = f${i}; while (j${i} < end && ${DIGIT(`b[j${i}]`)}) j${i}++;
          for (let ${next} = j${i}; ${next} >= f${i} + ${least}; ${next}--) { ${capture(t, pos, next)} ${gen(i + 1, next)} } }`;
      }
      case Kind.Any:
      case Kind.NotSpaceOrBracket: {
        const bracket = t.kind === Kind.NotSpaceOrBracket;
        const stopAt = (v: string) => (bracket ? `if (${v} === 32 || ${v} === 93) break;` : "");
        // Positions where the next token cannot start are grown over without trying it there.
        const skip =
          t.stop === -1
            ? ""
            : `if (${next} < end) { const c = b[${next}]; if (${t.stop >= 0 ? `c !== ${t.stop}` : "c < 65 || c > 90"}) { ${stopAt("c")} continue; } }`;
        return `for (let ${next} = ${pos}; ${next} <= end; ${next}++) { ${skip} ${capture(t, pos, next)} ${gen(i + 1, next)}
          ${bracket ? `if (${next} < end) { const c = b[${next}]; ${stopAt("c")} }` : ""} }`;
      }
      case Kind.SqlState: {
        const checks = [0, 1, 2, 3, 4]
          .map((k) => `(${DIGIT(`b[${pos} + ${k}]`)} || (b[${pos} + ${k}] >= 65 && b[${pos} + ${k}] <= 90))`)
          .join(" && ");
        return `if (${pos} + 5 <= end && ${checks}) { const ${next} = ${pos} + 5; ${capture(t, pos, next)} ${gen(i + 1, next)} }`;
      }
      case Kind.Session:
      case Kind.Epoch:
      case Kind.Timestamp: {
        const helper = t.kind === Kind.Session ? "session" : t.kind === Kind.Epoch ? "epoch" : "timestamp";
        return `{ const n${i} = ${helper}(b, ${pos}, end, C[${i}]); if (n${i} < 0) return ${TOO_MANY};
          for (let k${i} = 0; k${i} < n${i}; k${i}++) { const ${next} = C[${i}][k${i}]; ${capture(t, pos, next)} ${gen(i + 1, next)} } }`;
      }
      case Kind.Optional: {
        // (?: the rest )?: the rest first; else its fields are cleared and the level is tried here.
        const inside = tokens.slice(i + 1, level).flatMap((o) => (o.field < 0 ? [] : [o.field]));
        const clear = inside.map((f) => `S[${f}] = -1; E[${f}] = -1;`).join(" ");
        return `${gen(i + 1, pos)} ${clear} ${gen(level, pos)}`;
      }
      case Kind.Level:
        return `{ const l = levelAt(b, ${pos}, end); if (l >= 0) { L[0] = l; return ${pos} + LEVEL_LENGTHS[l]; } }`;
    }
  };
  const lengths = JSON.stringify(LEVEL_BYTES.map((l) => l.length));
  return `"use strict"; const LEVEL_LENGTHS = ${lengths};
    return function match(b, p0, end, S, E) { ${gen(0, "p0")} return -1; };`;
}

/** The level and ":  " at pos: its index in LEVEL_NAMES (the first that matches, as the alternation), or -1. */
function levelAt(b: Uint8Array, pos: number, end: number): number {
  // LOG:  , nearly every line's.
  if (
    b[pos] === 76 &&
    b[pos + 1] === 79 &&
    b[pos + 2] === 71 &&
    b[pos + 3] === 58 &&
    b[pos + 4] === 32 &&
    b[pos + 5] === 32 &&
    pos + 6 <= end
  )
    return 0;
  for (let l = 1; l < LEVEL_BYTES.length; l++) {
    const bytes = LEVEL_BYTES[l] as Uint8Array;
    if (b[pos] !== bytes[0] || pos + bytes.length > end) continue;
    let k = 1;
    while (k < bytes.length && b[pos + k] === bytes[k]) k++;
    if (k === bytes.length) return l;
  }
  return -1;
}

/** Candidate ends, written to out in the order the expression tries them; their count, or -1 past its room. */
class Ends {
  n = 0;
  private out: Int32Array = new Int32Array(0);
  /** The one instance, reset for each field (matching runs on one thread, one field at a time). */
  static of(out: Int32Array): Ends {
    SHARED.out = out;
    SHARED.n = 0;
    return SHARED;
  }
  add(e: number): boolean {
    if (this.n === this.out.length) return false;
    this.out[this.n++] = e;
    return true;
  }
}

const SHARED = new Ends();

/** \d+(?:\.\d+)? from pos. */
function epochEnds(b: Uint8Array, pos: number, end: number, out: Int32Array): number {
  const ends = Ends.of(out);
  let j = pos;
  while (j < end && isDigit(b[j] as number)) j++;
  for (let d = j; d >= pos + 1; d--) {
    if (b[d] === 46 && d + 1 < end && isDigit(b[d + 1] as number)) {
      let f = d + 1;
      while (f < end && isDigit(b[f] as number)) f++;
      for (let e = f; e >= d + 2; e--) if (!ends.add(e)) return -1;
    }
    if (!ends.add(d)) return -1;
  }
  return ends.n;
}

/** [0-9a-f]+\.[0-9a-f]+ from pos. */
function sessionEnds(b: Uint8Array, pos: number, end: number, out: Int32Array): number {
  const ends = Ends.of(out);
  let j = pos;
  while (j < end && isHex(b[j] as number)) j++;
  // A shorter first run ends before a hex digit, not the '.'.
  if (j === pos || b[j] !== 46) return 0;
  let k = j + 1;
  while (k < end && isHex(b[k] as number)) k++;
  for (let e = k; e >= j + 2; e--) if (!ends.add(e)) return -1;
  return ends.n;
}

/** \d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?: ?[A-Za-z][A-Za-z0-9/_+-]*|[+-]\d\d(?::?\d\d)?)? from pos. */
function timestampEnds(b: Uint8Array, pos: number, end: number, out: Int32Array): number {
  if (pos + 19 > end) return 0;
  // YYYY-MM-DD HH:MM:SS (or a T between), position by position.
  for (let k = 0; k < 19; k++) {
    const c = b[pos + k] as number;
    if (k === 4 || k === 7) {
      if (c !== 45) return 0;
    } else if (k === 10) {
      if (c !== 32 && c !== 84) return 0;
    } else if (k === 13 || k === 16) {
      if (c !== 58) return 0;
    } else if (c < 48 || c > 57) return 0;
  }
  const ends = Ends.of(out);
  const seconds = pos + 19;
  // The fraction, greedy: its longest run first, then shorter ones, then none.
  let f = seconds;
  if (b[seconds] === 46 && seconds + 1 < end && isDigit(b[seconds + 1] as number)) {
    f = seconds + 1;
    while (f < end && isDigit(b[f] as number)) f++;
  }
  for (let q = f; q >= seconds; q--) {
    if (q === seconds + 1) continue;
    if (!zoneEnds(b, q, end, ends)) return -1;
  }
  return ends.n;
}

/** The zone after the seconds (and fraction) ending at q, in the expression's order of alternatives. */
function zoneEnds(b: Uint8Array, q: number, end: number, ends: Ends): boolean {
  // " ?[A-Za-z][A-Za-z0-9/_+-]*": the space taken first, then not; the run longest first.
  for (let s = b[q] === 32 ? q + 1 : q; s >= q; s--) {
    if (s >= end || !isLetter(b[s] as number)) continue;
    let j = s + 1;
    while (j < end && isZoneChar(b[j] as number)) j++;
    for (let e = j; e >= s + 1; e--) if (!ends.add(e)) return false;
  }
  // "[+-]\d\d(?::?\d\d)?"
  const sign = b[q];
  if (
    (sign === 43 || sign === 45) &&
    q + 3 <= end &&
    isDigit(b[q + 1] as number) &&
    isDigit(b[q + 2] as number)
  ) {
    const h = q + 3;
    if (b[h] === 58 && h + 3 <= end && isDigit(b[h + 1] as number) && isDigit(b[h + 2] as number))
      if (!ends.add(h + 3)) return false;
    if (h + 2 <= end && isDigit(b[h] as number) && isDigit(b[h + 1] as number))
      if (!ends.add(h + 2)) return false;
    if (!ends.add(h)) return false;
  }
  return ends.add(q);
}
