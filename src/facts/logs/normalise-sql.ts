/**
 * A fast, lexer-level normalisation for grouping logged statements: string, numeric and $n constants become $1,
 * comments go, whitespace folds, keywords and names are lower-cased outside quotes. The fingerprint (libpg-query,
 * below) is then taken once per distinct normalised text, so millions of lines parse only a few hundred times.
 */
import { detach } from "../../util/detach-string.js";
import { fingerprintSql } from "../../util/sql-parser.js";

export function normaliseSql(sql: string): string {
  let out = "";
  const n = sql.length;
  let i = 0;
  let space = false;
  // No space after "(", whatever the text had.
  let glued = false;
  const put = (s: string) => {
    if (space && out.length && !glued) out += " ";
    space = false;
    glued = false;
    out += s;
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
      put("$1");
      i = j + 1;
      continue;
    }
    // $tag$ ... $tag$ and $n
    if (c === 36) {
      const m = /^\$(\d+)|^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(i, i + 64));
      if (m?.[1]) {
        put("$1");
        i += m[0].length;
        continue;
      }
      if (m) {
        const end = sql.indexOf(m[0], i + m[0].length);
        put("$1");
        i = end < 0 ? n : end + m[0].length;
        continue;
      }
    }
    // "quoted identifier": kept as written
    if (c === 34) {
      const end = sql.indexOf('"', i + 1);
      const stop = end < 0 ? n : end + 1;
      put(sql.slice(i, stop));
      i = stop;
      continue;
    }
    // numbers (not part of a name)
    if (
      ((c >= 48 && c <= 57) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) &&
      !isWordChar(sql.charCodeAt(i - 1))
    ) {
      let j = i + 1;
      while (j < n && (isDigit(sql.charCodeAt(j)) || sql.charCodeAt(j) === 46 || sql.charCodeAt(j) === 95))
        j++;
      if ((sql.charCodeAt(j) | 32) === 101 && /[-+\d]/.test(sql[j + 1] ?? "")) {
        j += 2;
        while (j < n && isDigit(sql.charCodeAt(j))) j++;
      }
      put("$1");
      i = j;
      continue;
    }
    // names and keywords
    if (isWordChar(c)) {
      let j = i + 1;
      while (j < n && isWordChar(sql.charCodeAt(j))) j++;
      put(sql.slice(i, j).toLowerCase());
      i = j;
      continue;
    }
    // punctuation: no space before , ) and after (
    if (c === 44 || c === 41 || c === 59) space = false;
    put(sql[i] as string);
    if (c === 40) glued = true;
    i++;
  }
  // IN lists and array literals of any length are one statement (as PostgreSQL 18 shows them).
  return out.replace(/;$/, "").replace(/(\bin \(|\barray\[)\$1(?:, \$1)+/g, "$1$$1 /*, ... */");
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

/** Fingerprints of normalised texts, taken with PostgreSQL's parser once each (IN-list length, aliases and
 * constants do not split a query). The parser reads the statement as logged, since some statements only parse
 * with their literals (`LOAD 'x'`, `SET x = -1`); text that does not parse (truncated by the log) keeps its own
 * key. */
export class Fingerprinter {
  parsed = 0;
  private readonly cache = new Map<string, string>();
  private cachedChars = 0;

  /** A statement's shape as shown (constants as numbered placeholders) and its fingerprint. */
  shape(sql: string): { normalised: string; fingerprint: string } {
    const normalised = normaliseSql(sql);
    return { normalised: numberParams(normalised), fingerprint: this.of(normalised, sql) };
  }

  of(normalised: string, original: string = normalised): string {
    const known = this.cache.get(normalised);
    if (known !== undefined) return known;
    const fp = this.fingerprint(original) ?? this.fingerprint(normalised) ?? `text:${normalised}`;
    // Bounded: past 16M characters of distinct texts, new ones are parsed each time instead of kept.
    if (this.cachedChars < 16 << 20) {
      this.cache.set(detach(normalised), fp);
      this.cachedChars += normalised.length;
    }
    return fp;
  }

  private fingerprint(sql: string): string | null {
    try {
      const fp = fingerprintSql(sql);
      this.parsed++;
      return fp;
    } catch (error) {
      if (error instanceof Error && error.message.includes("not loaded")) throw error;
      return null;
    }
  }
}
