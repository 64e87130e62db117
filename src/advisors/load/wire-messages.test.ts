/**
 * The prebuilt messages byte by byte: Bind as the protocol lays it out (written in place, checked against a plain
 * concatenation of its fields), with NULL, an empty string and multi-byte text; an ErrorResponse's text.
 */
import { describe, expect, it } from "vitest";
import { bindMessage, errorText, queryMessage } from "./wire-messages.js";

function field(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(5);
  head[0] = type.charCodeAt(0);
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}
const cstr = (t: string) => Buffer.concat([Buffer.from(t, "utf8"), Buffer.from([0])]);
const i16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

describe("wire messages", () => {
  it("lays out Bind: portal, statement, formats, each value's length and bytes, NULL as -1", () => {
    const values = ["42", null, "", "naïve 'quoted' ☃"];
    const expected = field(
      "B",
      cstr(""),
      cstr("dbopt_bench_3"),
      i16(0),
      i16(values.length),
      ...values.flatMap((v) =>
        v === null ? [i32(-1)] : [i32(Buffer.byteLength(v)), Buffer.from(v, "utf8")],
      ),
      i16(0),
    );
    expect(bindMessage("dbopt_bench_3", values)).toEqual(expected);
    expect(bindMessage("s", [])).toEqual(field("B", cstr(""), cstr("s"), i16(0), i16(0), i16(0)));
  });

  it("ends a Query's text with a zero byte", () => {
    expect(queryMessage("select 'é'")).toEqual(field("Q", cstr("select 'é'")));
  });

  it("reads the message and SQLSTATE of an ErrorResponse", () => {
    const body = Buffer.concat([
      cstr("SERROR"),
      cstr("C42P01"),
      cstr('Mrelation "x" does not exist'),
      Buffer.from([0]),
    ]);
    expect(errorText(body)).toBe('relation "x" does not exist (SQLSTATE 42P01)');
  });
});
