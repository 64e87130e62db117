/**
 * JSON.stringify without recursion: V8's own overflows its stack on data a few thousand levels deep (a pasted
 * plan can be). Same output as JSON.stringify(value, null, indent) for plain data: objects, arrays, strings,
 * numbers, booleans, null; undefined and functions left out of objects and null in arrays; toJSON() honoured.
 */
export function stringifyJson(value: unknown, indent = 0): string {
  interface Frame {
    entries: Array<[string | null, unknown]>;
    next: number;
    depth: number;
    close: string;
  }
  const out: string[] = [];
  const stack: Frame[] = [];
  const pad = (depth: number): string => (indent ? `\n${" ".repeat(indent * depth)}` : "");

  const write = (raw: unknown, depth: number, inArray: boolean): void => {
    const v = prepared(raw);
    if (v === undefined || typeof v === "function" || typeof v === "symbol") {
      out.push(inArray ? "null" : "");
      return;
    }
    if (v === null || typeof v !== "object") {
      out.push(JSON.stringify(v) ?? "null");
      return;
    }
    const entries: Array<[string | null, unknown]> = Array.isArray(v)
      ? v.map((item) => [null, item])
      : Object.entries(v).filter(([, item]) => {
          const p = prepared(item);
          return p !== undefined && typeof p !== "function" && typeof p !== "symbol";
        });
    const [open, close] = Array.isArray(v) ? ["[", "]"] : ["{", "}"];
    if (!entries.length) {
      out.push(open + close);
      return;
    }
    out.push(open);
    stack.push({ entries, next: 0, depth, close });
  };

  write(value, 0, false);
  for (let frame = stack.at(-1); frame; frame = stack.at(-1)) {
    const entry = frame.entries[frame.next];
    if (!entry) {
      stack.pop();
      out.push(pad(frame.depth) + frame.close);
      continue;
    }
    const [key, item] = entry;
    out.push((frame.next > 0 ? "," : "") + pad(frame.depth + 1));
    if (key !== null) out.push(`${JSON.stringify(key)}:${indent ? " " : ""}`);
    frame.next++;
    write(item, frame.depth + 1, key === null);
  }
  return out.join("");
}

function prepared(value: unknown): unknown {
  if (value && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return (value as { toJSON(): unknown }).toJSON();
  }
  return value;
}
