import { detach } from "../../util/detach-string.js";
import { fingerprintSql } from "../../util/sql-parser.js";
import { normaliseSql, numberParams } from "./normalise-sql.js";

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
