/**
 * The few PostgreSQL frontend messages the load driver sends (protocol 3.0), built once per statement and per
 * parameter set before the run, so that a call costs one socket write: Parse, Bind (text values), Execute, Sync
 * and Query.
 */

function message(type: string, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out[0] = type.charCodeAt(0);
  out.writeInt32BE(4 + body.length, 1);
  body.copy(out, 5);
  return out;
}

function cString(text: string): Buffer {
  return Buffer.concat([Buffer.from(text, "utf8"), Buffer.from([0])]);
}

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** Parse a named statement; the server infers the parameters' types, as pgbench -M prepared lets it. */
export function parseMessage(name: string, text: string): Buffer {
  return message("P", Buffer.concat([cString(name), cString(text), int16(0)]));
}

/** Bind text values (null for NULL) to a named statement in the unnamed portal, results in text. */
export function bindMessage(name: string, values: ReadonlyArray<string | null>): Buffer {
  const parts = [cString(""), cString(name), int16(0), int16(values.length)];
  for (const v of values) {
    if (v === null) parts.push(int32(-1));
    else {
      const bytes = Buffer.from(v, "utf8");
      parts.push(int32(bytes.length), bytes);
    }
  }
  parts.push(int16(0));
  return message("B", Buffer.concat(parts));
}

/** Execute the unnamed portal (all rows), then Sync: the server answers ReadyForQuery after it. */
export const EXECUTE_SYNC = Buffer.concat([
  message("E", Buffer.concat([cString(""), int32(0)])),
  message("S", Buffer.alloc(0)),
]);

export function queryMessage(text: string): Buffer {
  return message("Q", cString(text));
}

/** The 'M' (message) and 'C' (SQLSTATE) fields of an ErrorResponse body. */
export function errorText(body: Buffer): string {
  let at = 0;
  let text = "error";
  let code = "";
  while (at < body.length && body[at] !== 0) {
    const field = String.fromCharCode(body[at] as number);
    const end = body.indexOf(0, at + 1);
    const value = body.toString("utf8", at + 1, end < 0 ? body.length : end);
    if (field === "M") text = value;
    if (field === "C") code = value;
    at = end < 0 ? body.length : end + 1;
  }
  return code ? `${text} (SQLSTATE ${code})` : text;
}
