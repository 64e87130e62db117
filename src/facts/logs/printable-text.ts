/**
 * Input text made safe to quote in a one-line message: control characters and bytes that were not UTF-8 are
 * escaped, so a binary file never reaches the terminal as raw bytes; text that is mostly such bytes is named
 * as binary instead of being shown. Cut to `max` characters.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters this escapes.
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/g;

export function printable(text: string | null, max = 120): string {
  const t = (text ?? "")
    .trim()
    .replace(/\s*\r?\n\s*/g, " ")
    .replaceAll("\t", " ");
  const bad = t.match(UNPRINTABLE)?.length ?? 0;
  if (bad >= 3 && bad > t.length * 0.1) return `(binary data, ${t.length} characters)`;
  const escaped = t.replace(UNPRINTABLE, (c) =>
    c === "\ufffd" ? "\\ufffd" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  return escaped.length > max ? `${escaped.slice(0, max - 3)}...` : escaped;
}
