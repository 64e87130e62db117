/**
 * A JSON array of log objects (what the Google Cloud console's "Download logs" and `gcloud logging read
 * --format=json` write, pretty-printed), or pretty-printed objects one after another, turned into one object per
 * line as it streams: newlines outside strings become spaces (JSON strings cannot hold a raw newline), each object
 * ends with a newline, and what lies between objects (commas, the outer brackets) goes. The JSON-lines readers
 * then read it as they read any export.
 */
export class JsonArrayLines {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Depth of the objects to put on lines: 1 inside an array, 0 for objects one after another. */
  private readonly base: number;

  constructor(mode: "array" | "objects" = "array") {
    this.base = mode === "array" ? 1 : 0;
  }

  /** The text of one chunk, as JSON lines. */
  chunk(text: string): string {
    let out = "";
    // Start of the element text not yet copied to out; -1 between elements.
    let from = this.depth > this.base ? 0 : -1;
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
        if (this.depth === this.base + 1) from = i;
      } else if (c === 125 /* } */ || c === 93 /* ] */) {
        this.depth--;
        if (this.depth === this.base && from >= 0) {
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

/** How an input's first text lays out JSON across lines: an array, pretty-printed objects, or neither. */
export function jsonDocuments(text: string): "array" | "objects" | null {
  if (startsJsonArray(text)) return "array";
  return /^\s*\{\s*\r?\n/.test(text) ? "objects" : null;
}
