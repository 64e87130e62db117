import { detach } from "../../util/detach-string.js";
import { fingerprintSql } from "../../util/sql-parser.js";
import { normaliseSql, numberParams } from "./normalise-sql.js";

const DML = /^\(*(?:select|insert|update|delete|with|values|merge|table)\b/;

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
    // The fingerprint keeps the values of utility statements (LOAD 'x', SET a = 1): cache those by their text.
    const key = DML.test(normalised) ? normalised : `\u0000${original}`;
    const known = this.cache.get(key);
    if (known !== undefined) return known;
    const fp = this.fingerprint(original) ?? this.fingerprint(normalised) ?? `text:${normalised}`;
    // Bounded: past 16M characters of distinct texts, new ones are parsed each time instead of kept.
    if (this.cachedChars < 16 << 20) {
      this.cache.set(detach(key), fp);
      this.cachedChars += key.length;
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
