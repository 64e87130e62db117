/**
 * A fast, lexer-level normalisation for grouping logged statements: string, numeric and $n constants become $1,
 * comments go, whitespace folds, keywords and names are lower-cased outside quotes. The fingerprint (libpg-query,
 * fingerprinter.ts) is then taken once per distinct normalised text, so millions of lines parse only a few hundred
 * times. No parser here: the runtime hook uses this alone.
 */

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
