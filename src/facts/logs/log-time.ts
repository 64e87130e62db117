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
    lastEpoch = Number.isNaN(parsed) ? Date.parse(key) : parsed;
    if (Number.isNaN(lastEpoch)) lastEpoch = null;
  }
  return lastEpoch === null ? null : lastEpoch + (fraction ? Number(fraction) * 1000 : 0);
}

/** %n: seconds since the epoch with a fraction. */
export function epochTime(text: string | undefined): number | null {
  return text ? Number(text) * 1000 : null;
}
