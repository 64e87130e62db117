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

  /** FNV-1a over the code units: a cache's bucket. */
  hash(): number {
    let h = 0x811c9dc5;
    const c = this.codes;
    for (let i = 0; i < this.length; i++) h = Math.imul(h ^ (c[i] as number), 0x01000193);
    return h >>> 0;
  }

  /** Whether `codes` holds exactly this text. */
  equals(codes: Uint16Array): boolean {
    const n = this.length;
    if (codes.length !== n) return false;
    const c = this.codes;
    for (let i = 0; i < n; i++) if (c[i] !== codes[i]) return false;
    return true;
  }

  /** A copy of the code units, for a cache to keep. */
  copy(): Uint16Array {
    return this.codes.slice(0, this.length);
  }

  toString(): string {
    let s = "";
    // fromCharCode takes its codes as arguments: a few thousand per call stays far below the stack's limit.
    for (let i = 0; i < this.length; i += 4096)
      s += String.fromCharCode.apply(null, this.codes.subarray(i, Math.min(i + 4096, this.length)) as never);
    return s;
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

const shared = new NormalisedText();

export function normaliseSql(sql: string): string {
  normaliseInto(sql, shared);
  return shared.toString();
}

const SPACE = 32;
const DOLLAR = 36;
const ONE = 49;

/** Normalise `sql` into `out` (its previous content is replaced). */
export function normaliseInto(sql: string, out: NormalisedText): void {
  out.length = 0;
  const n = sql.length;
  let i = 0;
  let space = false;
  // No space after "(", whatever the text had.
  let glued = false;
  // A placeholder right after "(" or "[": an IN list or an array literal may follow, collapsed at the end.
  let list = false;
  /** Start a token: the space before it, if any. */
  const open = () => {
    if (space && out.length && !glued) out.push(SPACE);
    space = false;
    glued = false;
  };
  const placeholder = () => {
    open();
    const before = out.length ? out.codes[out.length - 1] : 0;
    if (before === 40 || before === 91) list = true;
    out.push(DOLLAR);
    out.push(ONE);
  };
  while (i < n) {
    const c = sql.charCodeAt(i);
    // whitespace
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      space = true;
      i++;
      continue;
    }
    // -- comment
    if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      const nl = sql.indexOf("\n", i);
      i = nl < 0 ? n : nl + 1;
      space = true;
      continue;
    }
    // /* comment */
    if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      const close = sql.indexOf("*/", i + 2);
      i = close < 0 ? n : close + 2;
      space = true;
      continue;
    }
    // 'string', E'string' (backslash escapes), with '' inside
    if (
      c === 39 ||
      ((c === 69 || c === 101) && sql.charCodeAt(i + 1) === 39 && !isWordChar(sql.charCodeAt(i - 1)))
    ) {
      const escapes = c !== 39;
      let j = escapes ? i + 2 : i + 1;
      for (; j < n; j++) {
        const d = sql.charCodeAt(j);
        if (escapes && d === 92) j++;
        else if (d === 39) {
          if (sql.charCodeAt(j + 1) === 39) j++;
          else break;
        }
      }
      placeholder();
      i = j + 1;
      continue;
    }
    // $n, and $tag$ ... $tag$ (tags of ASCII letters, digits and _, not starting with a digit); both within 64
    // characters of the $, as the regular expression this replaces read them.
    if (c === DOLLAR) {
      const limit = Math.min(n, i + 64);
      let j = i + 1;
      while (j < limit && isDigit(sql.charCodeAt(j))) j++;
      if (j > i + 1) {
        placeholder();
        i = j;
        continue;
      }
      if (j < limit && isTagStart(sql.charCodeAt(j))) {
        j++;
        while (j < limit && isAsciiWordChar(sql.charCodeAt(j))) j++;
      }
      if (j < limit && sql.charCodeAt(j) === DOLLAR) {
        const tag = sql.slice(i, j + 1);
        const end = sql.indexOf(tag, j + 1);
        placeholder();
        i = end < 0 ? n : end + tag.length;
        continue;
      }
    }
    // "quoted identifier": kept as written
    if (c === 34) {
      const end = sql.indexOf('"', i + 1);
      const stop = end < 0 ? n : end + 1;
      open();
      for (let k = i; k < stop; k++) out.push(sql.charCodeAt(k));
      i = stop;
      continue;
    }
    // numbers (not part of a name)
    if (
      ((c >= 48 && c <= 57) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) &&
      !isWordChar(sql.charCodeAt(i - 1))
    ) {
      let j = i + 1;
      for (let d = sql.charCodeAt(j); j < n && (isDigit(d) || d === 46 || d === 95); d = sql.charCodeAt(++j));
      if ((sql.charCodeAt(j) | 32) === 101) {
        const sign = sql.charCodeAt(j + 1);
        if (sign === 43 || sign === 45 || isDigit(sign)) {
          j += 2;
          while (j < n && isDigit(sql.charCodeAt(j))) j++;
        }
      }
      placeholder();
      i = j;
      continue;
    }
    // names and keywords
    if (isWordChar(c)) {
      let j = i + 1;
      let ascii = c < 128;
      for (let d = sql.charCodeAt(j); j < n && isWordChar(d); d = sql.charCodeAt(++j))
        if (d >= 128) ascii = false;
      open();
      if (ascii)
        for (let k = i; k < j; k++) {
          const d = sql.charCodeAt(k);
          out.push(d >= 65 && d <= 90 ? d + 32 : d);
        }
      else {
        // Unicode's lower case may change a word's length ("İ"): the string's own toLowerCase.
        const lower = sql.slice(i, j).toLowerCase();
        for (let k = 0; k < lower.length; k++) out.push(lower.charCodeAt(k));
      }
      i = j;
      continue;
    }
    // punctuation: no space before , ) and after (
    if (c === 44 || c === 41 || c === 59) space = false;
    open();
    out.push(c);
    if (c === 40) glued = true;
    i++;
  }
  if (out.length && out.codes[out.length - 1] === 59 /* ; */) out.length--;
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
  to.length = 0;
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
        for (let k = r; k < first; k++) to.push(c[k] as number);
        for (let k = 0; k < ELLIPSIS.length; k++) to.push(ELLIPSIS.charCodeAt(k));
        r = end;
        continue;
      }
    }
    to.push(c[r++] as number);
  }
  // The two buffers change places: `out` holds the result, the old one is the next call's scratch.
  out.codes = to.codes;
  out.length = to.length;
  to.codes = c;
}

const scratch = new NormalisedText();
const ELLIPSIS = " /*, ... */";
const IN = [105, 110, 32, 40];
const ARRAY = [97, 114, 114, 97, 121, 91];

/** The length of "in (" or "array[" starting at r after a word boundary, else 0. */
function listOpening(c: Uint16Array, r: number, n: number): number {
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
