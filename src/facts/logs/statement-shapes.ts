/**
 * A logged statement's normalised text and fingerprint, found without a string per statement. With literals
 * inline (the simple protocol: psql, many drivers and ORMs) nearly every logged text is new, but its shape is
 * not: the lexer writes the normalised text into a reused buffer, and a table keyed by the buffer's hash finds
 * the shape seen before by comparing code units. Only a new shape builds its string and meets libpg-query.
 */
import { detach } from "../../util/detach-string.js";
import type { Fingerprinter } from "./fingerprinter.js";
import { NormalisedText, normaliseInto, type ShapeCodes } from "./normalise-sql.js";

export interface StatementShape {
  fingerprint: string;
  /** Normalised text, constants as $1. */
  normalised: string;
}

interface Entry extends StatementShape {
  codes: ShapeCodes;
  /** A utility statement (SET, LOAD ...): libpg-query's fingerprint keeps its values, so the shape alone does
   * not decide it. */
  utility: boolean;
  /** Another shape with the same hash. */
  next: Entry | null;
}

const DML = /^\(*(?:select|insert|update|delete|with|values|merge|table)\b/;
/** Bounds on what the tables keep, in characters; past them a statement is still shaped, just not remembered. */
const MAX_SHAPE_CHARS = 16 << 20;
const MAX_TEXT_CHARS = 4 << 20;
const PROBE_EVERY = 32;
const SIGNATURES = 1 << 16;

function signature(sql: string): number {
  const n = sql.length;
  return (Math.imul(n, 0x9e3779b1) ^ Math.imul(sql.charCodeAt(0), 0x85ebca6b) ^ sql.charCodeAt(n - 1)) >>> 16;
}

export class StatementShapes {
  private readonly text = new NormalisedText();
  private readonly byHash = new Map<number, Entry>();
  private shapeChars = 0;
  /** Texts as logged that repeat as they are: without constants (prepared statements' `$1`, BEGIN, COMMIT) or
   * utility statements (SET ...), whose fingerprint depends on the text. A Map lookup hashes the text natively,
   * faster than the lexer reads it. */
  private readonly byText = new Map<string, StatementShape>();
  private textChars = 0;
  /** Lookups in byText and how many found the text. With literals inline nearly all miss, and each costs a hash
   * of the whole text: then only one statement in PROBE_EVERY looks, to notice when texts start repeating. */
  private probes = 0;
  private hits = 0;
  private skipped = 0;
  /** Length, first and last code unit of every text in byText, hashed into a bitmap: a text whose signature no
   * kept text has is not there, and costs no hash of its whole text (BEGIN and END repeat in a simple-protocol
   * log often enough that byText is probed for every statement, and most are long and new). */
  private readonly signatures = new Uint8Array(SIGNATURES);

  /** `nestComments`: the texts are PostgreSQL's, whose block comments nest (MySQL's do not). */
  constructor(
    private readonly fingerprints: Fingerprinter,
    private readonly nestComments = false,
  ) {}

  of(sql: string): StatementShape {
    if (
      (this.hits * 4 >= this.probes || ++this.skipped % PROBE_EVERY === 0) &&
      this.signatures[signature(sql)] === 1
    ) {
      const known = this.byText.get(sql);
      if (++this.probes === 1024) {
        // Recent lookups count more: the mix of a log changes (a load test, then an application).
        this.probes >>= 1;
        this.hits >>= 1;
      }
      if (known) {
        this.hits++;
        return known;
      }
    }
    const text = this.text;
    normaliseInto(sql, text, this.nestComments);
    const hash = text.hash();
    let e = this.byHash.get(hash) ?? null;
    while (e !== null && !text.equals(e.codes)) e = e.next;
    if (e === null) {
      const normalised = text.toString();
      const utility = !DML.test(normalised);
      e = {
        codes: text.copy(),
        normalised,
        // The first statement of a DML shape gives the fingerprint of all (constants do not change it).
        fingerprint: utility ? "" : this.fingerprints.of(normalised, sql),
        utility,
        next: this.byHash.get(hash) ?? null,
      };
      if (this.shapeChars < MAX_SHAPE_CHARS) {
        this.byHash.set(hash, e);
        this.shapeChars += normalised.length;
      }
    }
    if (!e.utility) {
      if (text.literals === 0) this.remember(sql, e);
      return e;
    }
    const shape = { fingerprint: this.fingerprints.of(e.normalised, sql), normalised: e.normalised };
    this.remember(sql, shape);
    return shape;
  }

  private remember(sql: string, shape: StatementShape): void {
    if (this.textChars >= MAX_TEXT_CHARS) return;
    this.byText.set(detach(sql), shape);
    this.signatures[signature(sql)] = 1;
    this.textChars += sql.length;
  }
}
