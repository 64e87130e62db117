/**
 * A JSON array of log objects (what the Google Cloud console's "Download logs" writes, pretty-printed) turned
 * into one object per line as it streams: newlines outside strings become spaces (JSON strings cannot hold a raw
 * newline), each element of the array ends with a newline, and what lies between elements (commas, the outer
 * brackets) goes. The JSON-lines
 * readers then read it as they read any export.
 */
export class JsonArrayLines {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private started = false;

  /** The text of one chunk, as JSON lines. */
  chunk(text: string): string {
    let out = "";
    // Start of the element text not yet copied to out; -1 between elements.
    let from = this.depth >= 2 ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92 /* \ */) this.escaped = true;
        else if (c === 34 /* " */) this.inString = false;
        continue;
      }
      if (c === 34) this.inString = true;
      else if (c === 123 /* { */ || c === 91 /* [ */) {
        this.depth++;
        if (this.depth === 1 && !this.started) this.started = true;
        else if (this.depth === 2) from = i;
      } else if (c === 125 /* } */ || c === 93 /* ] */) {
        this.depth--;
        if (this.depth === 1 && from >= 0) {
          out += `${text.slice(from, i + 1)}\n`;
          from = -1;
        }
      } else if ((c === 10 || c === 13) && from >= 0) {
        out += `${text.slice(from, i)} `;
        from = i + 1;
      }
    }
    if (from >= 0) out += text.slice(from);
    return out;
  }
}

/** Whether an input's first text opens a JSON array of objects (a custom prefix may start with "[" too). */
export function startsJsonArray(text: string): boolean {
  return /^\s*\[\s*(?:\{|$)/.test(text);
}
