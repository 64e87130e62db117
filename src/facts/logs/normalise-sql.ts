/**
 * A fast, lexer-level normalisation for grouping logged statements: string, numeric and $n constants become $1,
 * comments go, whitespace folds, keywords and names are lower-cased outside quotes, and IN lists and array
 * literals of any length become one text. The fingerprint (libpg-query, fingerprinter.ts) is then taken once per
 * distinct normalised text, so millions of lines parse only a few hundred times. No parser here: the runtime hook
 * uses this alone.
 *
 * One pass over the text writes UTF-16 code units into a reused buffer (`NormalisedText`): a log of statements
 * with literals inline (the simple protocol) has a different text on every line, and the buffer, its hash and
 * `equals` let a cache find the shape already seen without building a string for it.
 */

/** The normalised form of the last text given to `normaliseInto`, as code units in a buffer reused across calls. */
export class NormalisedText {
  codes = new Uint16Array(256);
  length = 0;
  /** Literals the text had (strings, numbers, dollar quotes; not $n placeholders): a text without any repeats as
   * it is (a prepared statement's text, BEGIN, COMMIT). */
  literals = 0;
  /** `codes` read two code units at a time (hash and equals run once per logged statement: half the reads). */
  private words = new Int32Array(this.codes.buffer);
  /** The codes array `words` views: compared by identity, cheaper than reading both arrays' `buffer` (an
   * accessor, twice per statement). */
  private wordsOfCodes = this.codes;

  private wordsOf(): Int32Array {
    if (this.wordsOfCodes !== this.codes) {
      this.words = new Int32Array(this.codes.buffer);
      this.wordsOfCodes = this.codes;
    }
    return this.words;
  }

  /** FNV-1a over the code units, two at a time: a cache's bucket. */
  hash(): number {
    let h = 0x811c9dc5;
    const n = this.length;
    const w = this.wordsOf();
    const pairs = n >> 1;
    for (let i = 0; i < pairs; i++) h = Math.imul(h ^ (w[i] as number), 0x01000193);
    if (n & 1) h = Math.imul(h ^ (this.codes[n - 1] as number), 0x01000193);
    return h >>> 0;
  }

  /** Whether `copy` (made by copy()) holds exactly this text. */
  equals(copy: ShapeCodes): boolean {
    const n = this.length;
    if (copy.length !== n) return false;
    const w = this.wordsOf();
    const other = copy.words;
    // copy() pads an odd length with a zero, as the buffer past the text may not be: the last unit apart.
    const pairs = n >> 1;
    for (let i = 0; i < pairs; i++) if (w[i] !== other[i]) return false;
    return (n & 1) === 0 || this.codes[n - 1] === new Uint16Array(other.buffer)[n - 1];
  }

  /** A copy of the text, for a cache to keep. */
  copy(): ShapeCodes {
    const units = new Uint16Array(this.length + (this.length & 1));
    units.set(this.codes.subarray(0, this.length));
    return { length: this.length, words: new Int32Array(units.buffer) };
  }

  toString(): string {
    let s = "";
    // fromCharCode takes its codes as arguments: a few thousand per call stays far below the stack's limit.
    for (let i = 0; i < this.length; i += 4096)
      s += String.fromCharCode.apply(null, this.codes.subarray(i, Math.min(i + 4096, this.length)) as never);
    return s;
  }

  /** Room for `size` code units, the text so far kept. */
  reserve(size: number): void {
    if (size <= this.codes.length) return;
    let length = this.codes.length * 2;
    while (length < size) length *= 2;
    const bigger = new Uint16Array(length);
    bigger.set(this.codes.subarray(0, this.length));
    this.codes = bigger;
  }

  push(code: number): void {
    if (this.length === this.codes.length) this.grow();
    this.codes[this.length++] = code;
  }

  grow(): void {
    const bigger = new Uint16Array(this.codes.length * 2);
    bigger.set(this.codes);
    this.codes = bigger;
  }
}

/** A normalised text kept by a cache: its length in code units and the units two at a time (zero-padded). */
export interface ShapeCodes {
  length: number;
  words: Int32Array;
}

const shared = new NormalisedText();

/** The code units of the last text given to sourceCodes, and the same memory as bytes to write them with. */
let source = new Uint16Array(1024);
let sourceBytes = Buffer.from(source.buffer);

/** `sql`'s UTF-16 code units, as charCodeAt gives them, followed by a 0 (one native copy, no allocation). */
function sourceCodes(sql: string): Uint16Array {
  const n = sql.length;
  if (n + 1 > source.length) {
    let length = source.length * 2;
    while (length < n + 1) length *= 2;
    source = new Uint16Array(length);
    sourceBytes = Buffer.from(source.buffer);
  }
  sourceBytes.write(sql, 0, "utf16le");
  source[n] = 0;
  return source;
}

export function normaliseSql(sql: string, nestComments = false): string {
  normaliseInto(sql, shared, nestComments);
  return shared.toString();
}

const SPACE = 32;
/** Character classes of ASCII codes (every code from 128 up is a word character). */
const BLANK = 1;
const WORD = 2;
const DIGIT = 4;
const UPPER = 8;
/** E or e, which starts an E'' string when a quote follows and no word precedes. */
const E_QUOTE = 16;
const ASCII = new Uint8Array(128);
for (const c of [32, 9, 10, 13]) ASCII[c] = BLANK;
for (let c = 97; c <= 122; c++) ASCII[c] = WORD;
for (let c = 65; c <= 90; c++) ASCII[c] = WORD | UPPER;
for (let c = 48; c <= 57; c++) ASCII[c] = WORD | DIGIT;
ASCII[95] = WORD;
ASCII[69] = WORD | UPPER | E_QUOTE;
ASCII[101] = WORD | E_QUOTE;
/** For each UTF-16 code unit: an ASCII word character's lower case, 0 for other ASCII, 1 from 128 up. */
const LOWER = new Uint16Array(65536).fill(1, 128);
for (let c = 0; c < 128; c++)
  LOWER[c] = (ASCII[c] as number) & WORD ? ((ASCII[c] as number) & UPPER ? c + 32 : c) : 0;
const DOLLAR = 36;
const ONE = 49;

function endOfComment(sql: string, from: number): number {
  const close = sql.indexOf("*/", from);
  return close < 0 ? sql.length : close + 2;
}

/** Where the block comment opening at `at` ends, counting the comments opened inside it. */
function nestedCommentEnd(sql: string, at: number): number {
  let depth = 0;
  let i = at;
  while (i < sql.length) {
    const open = sql.indexOf("/*", i);
    const close = sql.indexOf("*/", i);
    if (close < 0) return sql.length;
    if (open >= 0 && open < close) {
      depth++;
      i = open + 2;
    } else {
      depth--;
      i = close + 2;
      if (depth === 0) return i;
    }
  }
  return sql.length;
}

/** Normalise `sql` into `out` (its previous content is replaced); `nestComments` for PostgreSQL's texts. */
export function normaliseInto(sql: string, out: NormalisedText, nestComments = false): void {
  const n = sql.length;
  // Room for the worst case up front (a one-digit number becomes "$1"), so that writes need no check: locals,
  // not closures or method calls, on this path that runs for every logged statement.
  out.reserve(2 * n + 16);
  // The text's code units in a typed array: reading one there costs a few instructions, where charCodeAt on a
  // string cut out of a log chunk (a sliced string) costs tens (measured: the lexer took ~8,000 instructions per
  // pgbench statement). Past the text a 0 stands for charCodeAt's NaN: both are no character the lexer looks for.
  const src = sourceCodes(sql);
  let codes = out.codes;
  let w = 0;
  let i = 0;
  let space = false;
  // No space after "(", whatever the text had.
  let glued = false;
  // A placeholder right after "(" or "[": an IN list or an array literal may follow, collapsed at the end.
  let list = false;
  let constants = 0;
  let placeholders = 0;
  while (i < n) {
    const c = src[i] as number;
    const kind = c < 128 ? (ASCII[c] as number) : WORD;
    // whitespace
    if (kind === BLANK) {
      space = true;
      i++;
      continue;
    }
    // names and keywords, lower-cased
    if (
      kind & WORD &&
      !(kind & DIGIT) &&
      !(kind & E_QUOTE && (src[i + 1] as number) === 39 && !(i > 0 && isWordChar(src[i - 1] as number)))
    ) {
      if (space && w > 0 && !glued) codes[w++] = SPACE;
      space = false;
      glued = false;
      const start = w;
      let j = i;
      let d = c;
      // One table read per character: its lower case, or 0 (not a word character) or 1 (beyond ASCII).
      for (; j < n; j++) {
        d = LOWER[src[j] as number] as number;
        if (d <= 1) break;
        codes[w++] = d;
      }
      if (j < n && d === 1) {
        // Unicode's lower case may change a word's length ("İ"): the string's own toLowerCase, on the whole word.
        while (j < n && isWordChar(src[j] as number)) j++;
        const lower = sql.slice(i, j).toLowerCase();
        w = start;
        out.length = w;
        out.reserve(w + lower.length + 2 * (n - j) + 16);
        codes = out.codes;
        for (let k = 0; k < lower.length; k++) codes[w++] = lower.charCodeAt(k);
      }
      i = j;
      continue;
    }
    // -- comment
    if (c === 45 && (src[i + 1] as number) === 45) {
      const nl = sql.indexOf("\n", i);
      i = nl < 0 ? n : nl + 1;
      space = true;
      continue;
    }
    // /* comment */
    if (c === 47 && (src[i + 1] as number) === 42) {
      // PostgreSQL nests block comments (`/* a /* b */ c */` is one); MySQL ends one at the first `*/`.
      i = nestComments ? nestedCommentEnd(sql, i) : endOfComment(sql, i + 2);
      space = true;
      continue;
    }
    let constant = -1;
    if (c === 39 || kind & E_QUOTE) {
      // 'string', E'string' (backslash escapes), with '' inside; an E that starts no string is a word (above).
      const escapes = c !== 39;
      let j = escapes ? i + 2 : i + 1;
      for (; j < n; j++) {
        const d = src[j] as number;
        if (escapes && d === 92) j++;
        else if (d === 39) {
          if ((src[j + 1] as number) === 39) j++;
          else break;
        }
      }
      constant = j + 1;
    } else if (c === DOLLAR) {
      // $n, and $tag$ ... $tag$ (tags of ASCII letters, digits and _, not starting with a digit); both within 64
      // characters of the $, as the regular expression this replaces read them.
      const limit = Math.min(n, i + 64);
      let j = i + 1;
      while (j < limit && isDigit(src[j] as number)) j++;
      if (j > i + 1) {
        constant = j;
        placeholders++;
      } else {
        if (j < limit && isTagStart(src[j] as number)) {
          j++;
          while (j < limit && isAsciiWordChar(src[j] as number)) j++;
        }
        if (j < limit && (src[j] as number) === DOLLAR) {
          const tag = sql.slice(i, j + 1);
          const end = sql.indexOf(tag, j + 1);
          constant = end < 0 ? n : end + tag.length;
        }
      }
    } else if (
      (kind & DIGIT || (c === 46 && isDigit(src[i + 1] as number))) &&
      !(i > 0 && isWordChar(src[i - 1] as number))
    ) {
      // numbers (not part of a name)
      let j = i + 1;
      for (let d = src[j] as number; j < n && (isDigit(d) || d === 46 || d === 95); d = src[++j] as number);
      if (((src[j] as number) | 32) === 101) {
        const sign = src[j + 1] as number;
        if (sign === 43 || sign === 45 || isDigit(sign)) {
          j += 2;
          while (j < n && isDigit(src[j] as number)) j++;
        }
      }
      constant = j;
    }
    if (constant >= 0) {
      if (space && w > 0 && !glued) codes[w++] = SPACE;
      space = false;
      glued = false;
      // Only "in (" or "array[" right before: other lists (VALUES, function arguments) are not collapsed.
      const before = w > 0 ? codes[w - 1] : 0;
      if (
        (before === 40 && listOpening(codes, w - 4, w) === 4) ||
        (before === 91 && listOpening(codes, w - 6, w) === 6)
      )
        list = true;
      codes[w++] = DOLLAR;
      codes[w++] = ONE;
      constants++;
      i = constant;
      continue;
    }
    // A digit inside a name ("t1" read from its "1"): the word's rest.
    if (kind & WORD) {
      if (space && w > 0 && !glued) codes[w++] = SPACE;
      space = false;
      glued = false;
      let j = i;
      for (let d = c; j < n && d < 128 && (ASCII[d] as number) & WORD; d = src[++j] as number)
        codes[w++] = (ASCII[d] as number) & UPPER ? d + 32 : d;
      i = j;
      continue;
    }
    // "quoted identifier": kept as written
    if (c === 34) {
      const end = sql.indexOf('"', i + 1);
      const stop = end < 0 ? n : end + 1;
      if (space && w > 0 && !glued) codes[w++] = SPACE;
      space = false;
      glued = false;
      for (let k = i; k < stop; k++) {
        const d = src[k] as number;
        // An IN list or array opening inside the name ("in (") is collapsed too, as the expression did.
        if (d === 40 || d === 91) list = true;
        codes[w++] = d;
      }
      i = stop;
      continue;
    }
    // punctuation: no space before , ) ; and after (
    if (c === 44 || c === 41 || c === 59) space = false;
    if (space && w > 0 && !glued) codes[w++] = SPACE;
    space = false;
    glued = c === 40;
    codes[w++] = c;
    i++;
  }
  if (w > 0 && codes[w - 1] === 59 /* ; */) w--;
  out.length = w;
  out.literals = constants - placeholders;
  if (list) collapseLists(out);
}

/**
 * IN lists and array literals of any length are one statement (as PostgreSQL 18 shows them): "in ($1, $1, $1)"
 * and "array[$1, $1]" keep their first placeholder and a comment, "in ($1 /*, ... *\/)". Read as the regular
 * expression this replaces, /(\bin \(|\barray\[)\$1(?:, \$1)+/g, matched it: ASCII word boundaries, left to right.
 */
function collapseLists(out: NormalisedText): void {
  const c = out.codes;
  const n = out.length;
  const to = scratch;
  // A list becomes at most 7 code units longer (", $1" → " /*, ... */") and takes at least 10 ("in ($1, $1").
  to.length = 0;
  to.reserve(2 * n + 16);
  const t = to.codes;
  let w = 0;
  let r = 0;
  while (r < n) {
    const open = listOpening(c, r, n);
    if (open > 0 && c[r + open] === DOLLAR && c[r + open + 1] === ONE) {
      const first = r + open + 2;
      let end = first;
      while (
        end + 4 <= n &&
        c[end] === 44 &&
        c[end + 1] === SPACE &&
        c[end + 2] === DOLLAR &&
        c[end + 3] === ONE
      )
        end += 4;
      if (end > first) {
        for (let k = r; k < first; k++) t[w++] = c[k] as number;
        for (let k = 0; k < ELLIPSIS.length; k++) t[w++] = ELLIPSIS.charCodeAt(k);
        r = end;
        continue;
      }
    }
    t[w++] = c[r++] as number;
  }
  // The two buffers change places: `out` holds the result, the old one is the next call's scratch.
  out.codes = t;
  out.length = w;
  to.codes = c;
}

const scratch = new NormalisedText();
const ELLIPSIS = " /*, ... */";
const IN = [105, 110, 32, 40];
const ARRAY = [97, 114, 114, 97, 121, 91];

/** The length of "in (" or "array[" starting at r after a word boundary, else 0. */
function listOpening(c: Uint16Array, r: number, n: number): number {
  if (r < 0) return 0;
  if (r > 0 && isAsciiWordChar(c[r - 1] as number)) return 0;
  const word = c[r] === 105 ? IN : c[r] === 97 ? ARRAY : null;
  if (!word || r + word.length > n) return 0;
  for (let k = 1; k < word.length; k++) if (c[r + k] !== word[k]) return 0;
  return word.length;
}

/** "... = $1 and b = $1" → "... = $1 and b = $2": the placeholders numbered as pg_stat_statements shows them. */
export function numberParams(normalised: string): string {
  let n = 0;
  return normalised.replace(/\$1\b/g, () => `$${++n}`);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c > 127;
}

/** \w of a regular expression without the u flag. */
function isAsciiWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

function isTagStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
