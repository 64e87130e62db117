import { describe, expect, it } from "vitest";
import { withoutSecrets } from "./secret-text.js";

describe("withoutSecrets", () => {
  it("hides the password of a URL of any scheme, keeping the user and host", () => {
    expect(withoutSecrets('got "http://app:hunter2@db.example:5432/shop"')).toBe(
      'got "http://app:***@db.example:5432/shop"',
    );
    expect(withoutSecrets("postgresql://app:p%40ss:word@h/x and mysql://root:pw@h")).toBe(
      "postgresql://app:***@h/x and mysql://root:***@h",
    );
  });

  it("hides a conninfo password, quoted or not", () => {
    expect(withoutSecrets("host=h password=hunter2 dbname=x")).toBe("host=h password=*** dbname=x");
    expect(withoutSecrets("password = 'two words'")).toBe("password = ***");
  });

  it("leaves text without a password as it is", () => {
    for (const text of ["postgresql://app@h:5432/x", "redis://127.0.0.1:6379", "a:b@c", "no url here"])
      expect(withoutSecrets(text)).toBe(text);
  });
});
