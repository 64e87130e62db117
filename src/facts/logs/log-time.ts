/**
 * Log timestamps to epoch milliseconds. Date.parse is slow and lines share their second, so each distinct
 * "YYYY-MM-DD HH:MM:SS zone" is parsed once and the fraction added.
 */
let lastKey = "";
let lastEpoch: number | null = null;

export function logTime(text: string | undefined): number | null {
  if (!text) return null;
  const dot = text.indexOf(".", 19);
  const fractionEnd = dot === 19 ? text.indexOf(" ", dot) : -1;
  const fraction = dot === 19 ? text.slice(dot, fractionEnd < 0 ? undefined : fractionEnd) : "";
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
