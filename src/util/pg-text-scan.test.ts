import { describe, expect, it } from "vitest";
import { afterQuotedOrComment, withoutComments } from "./pg-text-scan.js";

describe("pg-text-scan", () => {
  it("ends a block comment at its own */ when comments nest, as PostgreSQL's lexer does", () => {
    const text = "/* a /* b */ still comment */ select 1";
    expect(afterQuotedOrComment(text, 0)).toBe(text.indexOf(" select"));
  });

  it("withoutComments drops nested and line comments, keeps strings, quoted names and dollar quotes", () => {
    expect(withoutComments("/* a /* b */ c */ copy t from stdin; -- x\nselect 1")).toBe(
      "  copy t from stdin;  select 1",
    );
    expect(withoutComments(`select '/* no */', "-- no", $$ /* no $$, 3 - 1 / 2`)).toBe(
      `select '/* no */', "-- no", $$ /* no $$, 3 - 1 / 2`,
    );
  });
});
