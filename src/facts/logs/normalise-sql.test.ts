import { readdirSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { fingerprintSql, loadSqlParser } from "../../util/sql-parser.js";
import { Fingerprinter } from "./fingerprinter.js";
import { NormalisedText, normaliseInto, normaliseSql } from "./normalise-sql.js";

beforeAll(loadSqlParser);

describe("normaliseSql", () => {
  it.each([
    ["SELECT *\n  FROM Orders WHERE id = 42", "select * from orders where id = $1"],
    ["select 'it''s', E'a\\'b', 1.5e-3, -7 from t", "select $1, $1, $1, -$1 from t"],
    ["select $$body$$, $q$x$q$ from t where a = $3", "select $1, $1 from t where a = $1"],
    ['select "CamelCase".id from "CamelCase" -- trailing\n', 'select "CamelCase".id from "CamelCase"'],
    ["select /* app:checkout */ t1.c2 from t1;", "select t1.c2 from t1"],
    ["select f( a , b ) , c from t", "select f(a, b), c from t"],
    ["select é from tàble where x = 'ü'", "select é from tàble where x = $1"],
    [
      "select * from t where id in (1, 2, 3) and k = any(array[4, 5]);",
      "select * from t where id in ($1 /*, ... */) and k = any(array[$1 /*, ... */])",
    ],
    ["select * from t where id in (1) or id in (1,2)", "select * from t where id in ($1) or id in ($1,$1)"],
    ["select -4123 + 1.5e+3, .5, 1_000 from t", "select -$1 + $1, $1, $1 from t"],
    ["select $a$it's$a$ || $$x$$ from t where a = $12", "select $1 || $1 from t where a = $1"],
    ['SELECT ŞİRKET FROM "Tablo"', 'select şi̇rket from "Tablo"'],
  ])("%j → %j", (sql, expected) => {
    expect(normaliseSql(sql)).toBe(expected);
  });
});

/** Statements that must share one fingerprint, as libpg-query decides, and ones that must not. */
const SAME = [
  [
    "select * from t where id in (1, 2, 3)",
    "select * from t where id in (4)",
    "SELECT * FROM t WHERE id IN ($1,$2)",
  ],
  ["select a as total from t where b = 'v'", "select a as sum_total from t where b = 'w'"],
  ["insert into t (a, b) values (1, 'x')", "INSERT INTO t (a, b) VALUES ($1, $2)"],
  ["update t set a = 1 where id = 2 -- one", "update   t set a = 99 where id = 3 /* two */"],
  ["set work_mem = '64kB'", "set work_mem = '1GB'"],
];
const DIFFERENT = [
  ["select a from t where id = 1", "select b from t where id = 1"],
  ["select a from t where id = 1", "select a from t where id > 1"],
  ["select a from t order by a", "select a from t order by a desc"],
  // libpg-query keeps LOAD's file name: one library is not another.
  ["load 'auto_explain'", "load 'pg_stat_statements'"],
];

describe("Fingerprinter", () => {
  it.each(SAME)("groups %j with its variants", (...sqls) => {
    const f = new Fingerprinter();
    const keys = sqls.map((s) => f.of(normaliseSql(s), s));
    expect(new Set(keys).size).toBe(1);
    // The key is libpg-query's own fingerprint of the statement as written.
    expect(keys[0]).toBe(fingerprintSql(sqls[0] as string));
  });

  it.each(DIFFERENT)("keeps %j and %j apart", (a, b) => {
    const f = new Fingerprinter();
    expect(f.of(normaliseSql(a), a)).not.toBe(f.of(normaliseSql(b), b));
  });

  it("parses each normalised text once, and keeps text that does not parse under its own key", () => {
    const f = new Fingerprinter();
    for (let i = 0; i < 1000; i++) {
      const sql = `select * from t where id = ${i}`;
      f.of(normaliseSql(sql), sql);
    }
    expect(f.parsed).toBe(1);
    // A statement the log truncated.
    const cut = "select a, b from t where c = 1 and (d";
    expect(f.of(normaliseSql(cut), cut)).toBe("text:select a, b from t where c = $1 and (d");
  });
});

/**
 * The lexer as it was before it wrote into a reused buffer (a string built token by token, then two regular
 * expressions): the buffer version must give the same text for every input, since fingerprints are cached by it.
 */
function previousNormaliseSql(sql: string): string {
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

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c > 127;
}

/** A seeded generator of awkward SQL: every token the lexer treats apart, in random order and spacing. */
function awkwardSql(seed: number): string[] {
  let x = seed;
  const next = (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
  const tokens = [
    "select",
    "SELECT",
    "from",
    "t",
    "T1",
    "in",
    "IN",
    "(",
    ")",
    "[",
    "]",
    "array",
    "ARRAY",
    ",",
    ", ",
    ";",
    " ",
    "\n",
    "\t",
    "\r\n",
    "'it''s'",
    "'a'",
    "E'a\\'b'",
    "e'x'",
    "N'x'",
    "U&'d'",
    "$$x$$",
    "$q$it's$q$",
    "$1",
    "$12",
    "$",
    "$a",
    "42",
    "-7",
    "1.5e-3",
    "1e",
    "1E+5",
    ".5",
    "1_000",
    "x1",
    '"Quoted Name"',
    '"in ("',
    "-- note\n",
    "/* c */",
    "/* open",
    "--",
    "é",
    "İ",
    "Σ",
    "ß",
    "=",
    "+",
    "-",
    "::",
    "in (",
    "array[",
    "'open",
    '"open',
  ];
  const out: string[] = [];
  for (let k = 0; k < 3000; k++) {
    let s = "";
    const length = 1 + next(24);
    for (let t = 0; t < length; t++) s += tokens[next(tokens.length)];
    out.push(s);
  }
  return out;
}

/** Every statement of the captured logs. */
function loggedStatements(): string[] {
  const dir = new URL("../../../test/fixtures/logs/", import.meta.url);
  return readdirSync(dir)
    .filter((f) => /\.(log|csv|json)$/.test(f))
    .flatMap((f) =>
      readFileSync(new URL(f, dir), "utf8")
        .split(/statement: |execute [^:]*: /)
        .slice(1),
    )
    .map((s) => s.split(/\n\d{4}-|","|\n[<{]/)[0] as string);
}

describe("normaliseInto", () => {
  it("gives the text the previous lexer gave, on the captured logs and on generated awkward SQL", () => {
    const inputs = [...loggedStatements(), ...awkwardSql(1), ...awkwardSql(7)];
    expect(inputs.length).toBeGreaterThan(6000);
    const differ = inputs.filter((s) => normaliseSql(s) !== previousNormaliseSql(s));
    expect(differ).toEqual([]);
  });

  it("reads nothing past the end of a text from the longer text lexed before it", () => {
    // The lexer reads code units from a buffer reused across texts: a text cut just before a quote, an exponent,
    // a comment or a $ must read as if nothing followed, whatever the text before it left in the buffer.
    const tricky =
      "select E'it\\'s', 1e5, x -- c\n/* d */ $1, $t$q$t$, 'a''b', .5, \"Q\" from t where a in (1, 2)";
    const filler = ["'".repeat(200), "e".repeat(200), "-".repeat(200), "*".repeat(200), "9".repeat(200)];
    const differ: string[] = [];
    for (let cut = 0; cut <= tricky.length; cut++)
      for (const before of filler) {
        normaliseSql(before + tricky);
        const text = tricky.slice(0, cut);
        if (normaliseSql(text) !== previousNormaliseSql(text)) differ.push(text);
      }
    expect(differ).toEqual([]);
  });

  it("hashes and compares the text in its buffer without a string", () => {
    const a = new NormalisedText();
    const b = new NormalisedText();
    normaliseInto("select * from t where id in (1, 2, 3)", a);
    normaliseInto("SELECT *\nFROM t WHERE id IN (7, 8)", b);
    expect(a.hash()).toBe(b.hash());
    expect(a.equals(b.copy())).toBe(true);
    normaliseInto("select * from t where id = 1", b);
    expect(a.equals(b.copy())).toBe(false);
    // Past the buffer's first size.
    const long = `select ${"a, ".repeat(5000)}b from t where x in (${"1, ".repeat(3000)}2)`;
    normaliseInto(long, a);
    expect(a.toString()).toBe(previousNormaliseSql(long));
  });
});

describe("block comments", () => {
  it("nest in PostgreSQL's texts and end at the first */ in MySQL's", () => {
    const sql = "/* a /* b */ c */ SELECT 1 /* d */";
    expect(normaliseSql(sql, true)).toBe("select $1");
    expect(normaliseSql(sql)).toBe("c */ select $1");
    // An unclosed nested comment runs to the end, as PostgreSQL's lexer reads it (an error there).
    expect(normaliseSql("select 1 /* a /* b */", true)).toBe("select $1");
    // `/*/` opens a comment that the `/` does not close.
    expect(normaliseSql("/*/ x */ select 2", true)).toBe("select $1");
  });
});
