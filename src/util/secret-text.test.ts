import { afterEach, describe, expect, it } from "vitest";
import { withoutSecrets } from "./secret-text.js";

describe("withoutSecrets", () => {
  it("hides every password of URLs and conninfo strings, keeping the user and host", () => {
    const cases: Array<[string, string]> = [
      ['got "http://app:hunter2@db.example:5432/shop"', 'got "http://app:***@db.example:5432/shop"'],
      [
        "postgresql://app:p%40ss:word@h/x and mysql://root:pw@h",
        "postgresql://app:***@h/x and mysql://root:***@h",
      ],
      // An unescaped @ in the password: the userinfo runs to the last @.
      ["http://u:Se@cret9@127.0.0.1/x", "http://u:***@127.0.0.1/x"],
      ["postgresql://u:a@b@c@h:5432/x?sslmode=require", "postgresql://u:***@h:5432/x?sslmode=require"],
      // One slash, three slashes.
      ["postgresql:/u:Secret9@127.0.0.1/x", "postgresql:/u:***@127.0.0.1/x"],
      ["postgresql:///u:Secret9@127.0.0.1/x", "postgresql:///u:***@127.0.0.1/x"],
      // A / in the password, an empty user.
      ["postgresql://u:a/b@h/x", "postgresql://u:***@h/x"],
      ["postgresql://:pw123@h/x", "postgresql://:***@h/x"],
      // An @ in the query is not the userinfo's.
      ["postgresql://u:pw123@h/x?application_name=a@b", "postgresql://u:***@h/x?application_name=a@b"],
      ["host=h password=hunter2 dbname=x", "host=h password=*** dbname=x"],
      ["password = 'two words'", "password = ***"],
      ["host=h password='it\\'s secret' user=u", "host=h password=*** user=u"],
      ["PGPASSWORD=hunter2 psql", "PGPASSWORD=*** psql"],
      ["MYSQL_PWD=hunter2 mysql", "MYSQL_PWD=*** mysql"],
    ];
    for (const [text, shown] of cases) expect(withoutSecrets(text), text).toBe(shown);
  });

  it("leaves text without a password as it is", () => {
    for (const text of [
      "postgresql://app@h:5432/x",
      "redis://127.0.0.1:6379",
      "a:b@c",
      "no url here",
      "http://h:80/path",
      "mailto:someone@example.com",
    ])
      expect(withoutSecrets(text)).toBe(text);
  });

  describe("with PGPASSWORD set", () => {
    const saved = process.env.PGPASSWORD;
    afterEach(() => {
      if (saved === undefined) delete process.env.PGPASSWORD;
      else process.env.PGPASSWORD = saved;
    });
    it("never prints its value", () => {
      process.env.PGPASSWORD = "S3cr#t";
      expect(withoutSecrets('cannot read "S3cr#t" as a URL')).toBe('cannot read "***" as a URL');
    });
  });
});
