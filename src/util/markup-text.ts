/** Text placed in HTML or SVG markup: the five characters that could end an attribute or start a tag, escaped. */
export function escapeMarkup(text: string): string {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}
