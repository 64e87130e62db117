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

/**
 * Bind text values (null for NULL) to a named statement in the unnamed portal, results in text. Written into one
 * buffer: dbopt bench builds one per drawn set, up to 100,000 before a run.
 */
export function bindMessage(name: string, values: ReadonlyArray<string | null>): Buffer {
  const nameBytes = Buffer.byteLength(name, "utf8");
  let size = 1 + 4 + 1 + nameBytes + 1 + 2 + 2 + 2;
  for (const v of values) size += 4 + (v === null ? 0 : Buffer.byteLength(v, "utf8"));
  const out = Buffer.allocUnsafe(size);
  out[0] = 0x42; // 'B'
  out.writeInt32BE(size - 1, 1);
  out[5] = 0; // the unnamed portal
  let at = 6 + out.write(name, 6, "utf8");
  out[at++] = 0;
  out.writeInt16BE(0, at); // every parameter in text
  out.writeInt16BE(values.length, at + 2);
  at += 4;
  for (const v of values) {
    if (v === null) at = out.writeInt32BE(-1, at);
    else {
      const length = out.write(v, at + 4, "utf8");
      out.writeInt32BE(length, at);
      at += 4 + length;
    }
  }
  out.writeInt16BE(0, at); // every result column in text
  return out;
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
