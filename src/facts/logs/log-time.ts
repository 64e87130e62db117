/**
 * Log timestamps to epoch milliseconds. Date.parse is slow and lines share their second, so each distinct
 * "YYYY-MM-DD HH:MM:SS zone" is parsed once and the fraction added.
 */
let lastKey = "";
let lastEpoch: number | null = null;

export function logTime(text: string | undefined): number | null {
  if (!text) return null;
  let fractionEnd = 19;
  if (text.charCodeAt(19) === 46 /* . */) {
    fractionEnd = 20;
    while (
      fractionEnd < text.length &&
      text.charCodeAt(fractionEnd) >= 48 &&
      text.charCodeAt(fractionEnd) <= 57
    )
      fractionEnd++;
  }
  const fraction = text.slice(19, fractionEnd);
  const key = fraction ? text.slice(0, 19) + text.slice(19 + fraction.length) : text;
  if (key !== lastKey) {
    lastKey = key;
    const parsed = Date.parse(key.replace(" ", "T").replace(/ ?(UTC|GMT)$/, "Z"));
    const loose = Number.isNaN(parsed) ? Date.parse(key) : parsed;
    lastEpoch = Number.isNaN(loose) ? zoned(key) : loose;
  }
  return lastEpoch === null ? null : lastEpoch + (fraction ? Number(fraction) * 1000 : 0);
}

/**
 * log_timezone written as an abbreviation ("2026-11-26 10:00:00 CET"), which Date.parse does not read: the
 * common ones by their offset; others as UTC, which keeps the order and the gaps between lines right.
 */
function zoned(text: string): number | null {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) ?([A-Za-z][A-Za-z0-9/_+-]*)?$/.exec(text);
  if (!m) return null;
  const utc = Date.parse(`${m[1]}T${m[2]}Z`);
  if (Number.isNaN(utc)) return null;
  return utc - (ZONES[(m[3] ?? "").toUpperCase()] ?? 0) * 3_600_000;
}

const ZONES: Record<string, number> = {
  WET: 0,
  WEST: 1,
  BST: 1,
  CET: 1,
  CEST: 2,
  EET: 2,
  EEST: 3,
  MSK: 3,
  IST: 5.5,
  SGT: 8,
  HKT: 8,
  AWST: 8,
  JST: 9,
  KST: 9,
  ACST: 9.5,
  AEST: 10,
  AEDT: 11,
  NZST: 12,
  NZDT: 13,
  HST: -10,
  AKST: -9,
  AKDT: -8,
  PST: -8,
  PDT: -7,
  MST: -7,
  MDT: -6,
  CST: -6,
  CDT: -5,
  EST: -5,
  EDT: -4,
  BRT: -3,
  ART: -3,
};

/** %n: seconds since the epoch with a fraction. */
export function epochTime(text: string | undefined): number | null {
  return text ? Number(text) * 1000 : null;
}
