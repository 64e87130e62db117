import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../util/seeded-random.js";
import { COMMON_PREFIXES, compilePrefix, type PrefixField } from "./log-line-prefix.js";
import { BytePrefix, FIELD, LEVEL_NAMES } from "./prefix-bytes.js";

const FIXTURES = new URL("../../../test/fixtures/logs/", import.meta.url).pathname;

/** Every line of the plain-text fixtures, and copies cut short or with bytes the tokens backtrack on inserted. */
function lines(): string[] {
  const out = new Set<string>();
  for (const name of readdirSync(FIXTURES).filter((n) => /\.log$/.test(n)))
    for (const l of readFileSync(FIXTURES + name, "utf8").split("\n")) if (l) out.add(l.replace(/\r$/, ""));
  const random = seededRandom(11);
  const base = [...out];
  const awkward = [
    " ",
    "]",
    ",",
    "1",
    ".",
    ":",
    "-",
    "+",
    "T",
    "Z",
    "a",
    "é",
    "[",
    "@",
    "LOG:  ",
    "DEBUG1:  ",
    "02",
  ];
  for (let i = 0; i < 20000; i++) {
    const l = base[Math.floor(random() * base.length)] as string;
    const at = Math.floor(random() * Math.min(l.length, 80));
    const kind = random();
    if (kind < 0.2) out.add(l.slice(0, at));
    else if (kind < 0.6)
      out.add(l.slice(0, at) + (awkward[Math.floor(random() * awkward.length)] as string) + l.slice(at));
    else out.add(l.slice(0, at) + l.slice(at + 1 + Math.floor(random() * 3)));
  }
  return [...out];
}

const PREFIXES = [
  ...COMMON_PREFIXES,
  "%m [%p] %q%u@%d %e %c ",
  "%n [%p] %v %x %Q %P|%l %% ",
  "%t %m %s [%p-%l] %q[%a] %h:%r %b %i ",
  "[%m] pid=%p ",
  "%c %v:",
];

const FIELDS: Array<[PrefixField, number]> = [
  ["time", FIELD.time],
  ["epoch", FIELD.epoch],
  ["pid", FIELD.pid],
  ["user", FIELD.user],
  ["db", FIELD.db],
  ["app", FIELD.app],
  ["session", FIELD.session],
  ["vxid", FIELD.vxid],
  ["sqlstate", FIELD.sqlstate],
];

describe("BytePrefix", () => {
  const all = lines();

  it.each(PREFIXES)("matches as the prefix's expression does: '%s'", (prefix) => {
    const { head, field } = compilePrefix(prefix);
    const bytes = BytePrefix.compile(prefix) as BytePrefix;
    expect(bytes).not.toBeNull();
    let matched = 0;
    for (const line of all) {
      // The caller reads lines with a line terminator in them as text.
      if (/[\r\u2028\u2029]/.test(line)) continue;
      const buf = Buffer.from(`xx${line}yy`, "utf8");
      const end = buf.length - 2;
      const m = head.exec(line);
      const at = bytes.match(buf, 2, end);
      const want = m ? Buffer.byteLength(m[0]) + 2 : -1;
      if (at !== want) expect({ line, at }).toEqual({ line, at: want });
      if (!m) continue;
      matched++;
      expect(LEVEL_NAMES[bytes.level]).toBe(m[field.level]);
      for (const [name, f] of FIELDS) {
        const got = bytes.start[f] === -1 ? undefined : buf.toString("utf8", bytes.start[f], bytes.end[f]);
        const expected = field[name] ? m[field[name]] : undefined;
        if (got !== expected) expect({ line, name, got }).toEqual({ line, name, got: expected });
      }
    }
    // The lines of pg15-stderr.log and pg15-prefix-db-user.log, and their mutations that still match.
    if (prefix === "%m [%p] %q%u@%d ") expect(matched).toBeGreaterThan(500);
  });

  it("leaves prefixes beyond ASCII to the expression", () => {
    expect(BytePrefix.compile("%m → [%p] ")).toBeNull();
  });
});
