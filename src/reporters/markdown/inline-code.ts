/**
 * One code span on one line (a list item, a sentence): a backtick in the text becomes ', where findings-markdown's
 * `code` fences with double backticks and escapes pipes for tables.
 */
export function inlineCode(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}
