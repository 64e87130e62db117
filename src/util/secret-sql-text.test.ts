import { beforeAll, describe, expect, it } from "vitest";
import { findSecrets, redactParameters, redactSecrets } from "./secret-sql-text.js";
import { loadSqlParser, tryParseSql } from "./sql-parser.js";

beforeAll(loadSqlParser);

describe("redactSecrets on PostgreSQL text", () => {
  const cases: Array<[string, string]> = [
    ["ALTER ROLE alice PASSWORD 'S3cret'", "ALTER ROLE alice PASSWORD '***'"],
    ["alter role \"Mixed Case\" with password 'it''s'", "alter role \"Mixed Case\" with password '***'"],
    [
      "CREATE USER bob WITH ENCRYPTED PASSWORD 'S3cret' VALID UNTIL 'infinity'",
      "CREATE USER bob WITH ENCRYPTED PASSWORD '***' VALID UNTIL '***'",
    ],
    ["CREATE ROLE r LOGIN PASSWORD $$S3cret$$", "CREATE ROLE r LOGIN PASSWORD '***'"],
    [
      "CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'x', password 'S3cret')",
      "CREATE USER MAPPING FOR app SERVER s OPTIONS (user '***', password '***')",
    ],
    [
      "ALTER USER MAPPING FOR CURRENT_USER SERVER s OPTIONS (SET sslkey '/k', ADD sslpassword 'S3cret')",
      "ALTER USER MAPPING FOR CURRENT_USER SERVER s OPTIONS (SET sslkey '***', ADD sslpassword '***')",
    ],
    [
      "CREATE SUBSCRIPTION sub CONNECTION 'host=h password=S3cret' PUBLICATION p",
      "CREATE SUBSCRIPTION sub CONNECTION '***' PUBLICATION p",
    ],
    ["ALTER SUBSCRIPTION sub CONNECTION 'host=h password=S3cret'", "ALTER SUBSCRIPTION sub CONNECTION '***'"],
    [
      "CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'h', passfile '/p')",
      "CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '***', passfile '***')",
    ],
    [
      "SELECT id, pgp_sym_decrypt(ssn, 'S3cret') FROM people WHERE name = 'Ann'",
      "SELECT id, pgp_sym_decrypt(ssn, '***') FROM people WHERE name = 'Ann'",
    ],
    ["SELECT pgp_sym_encrypt(E'card\\'s', 'k'::text)", "SELECT pgp_sym_encrypt('***', '***'::text)"],
    ["select public.encrypt('data', 'key', 'aes')", "select public.encrypt('***', '***', '***')"],
    ["SELECT crypt('S3cret', gen_salt('bf'))", "SELECT crypt('***', gen_salt('***'))"],
    [
      "SELECT * FROM dblink('host=db user=u password=S3cret', 'select 1') AS t(a int)",
      "SELECT * FROM dblink('***', '***') AS t(a int)",
    ],
    ["SELECT dblink_connect('c', 'dbname=x password=S3cret')", "SELECT dblink_connect('***', '***')"],
    [
      "SELECT set_config('app.api_key', 'S3cret', false), 'kept'",
      "SELECT set_config('***', '***', false), 'kept'",
    ],
    ["SET app.secret = 'S3cret'", "SET app.secret = '***'"],
    [
      "ALTER SYSTEM SET primary_conninfo = 'host=h password=S3cret'",
      "ALTER SYSTEM SET primary_conninfo = '***'",
    ],
    ["ALTER ROLE app SET app.token TO 'S3cret'", "ALTER ROLE app SET app.token TO '***'"],
    [
      "UPDATE users SET password_hash = 'S3cret', name = 'Ann' WHERE id = 1",
      "UPDATE users SET password_hash = '***', name = 'Ann' WHERE id = 1",
    ],
    [
      "SELECT 1 FROM users WHERE u.password = 'S3cret' AND id = 2",
      "SELECT 1 FROM users WHERE u.password = '***' AND id = 2",
    ],
    [
      "INSERT INTO users (name, password) VALUES ('Ann', 'S3cret'), ('Bob', 'S3cret2')",
      "INSERT INTO users (name, password) VALUES ('Ann', '***'), ('Bob', '***')",
    ],
    // The literal of the call only; the statement's other literals and statements stay.
    [
      "SELECT 'x'; SELECT pgp_sym_decrypt(c, 'S3cret'), 'éé' FROM t; ALTER ROLE a PASSWORD 'p2'",
      "SELECT 'x'; SELECT pgp_sym_decrypt(c, '***'), 'éé' FROM t; ALTER ROLE a PASSWORD '***'",
    ],
    // Multi-byte text before the secret: the parser's byte offsets.
    ["SELECT 'ünïcödé', pgp_sym_encrypt('a', 'S3cret')", "SELECT 'ünïcödé', pgp_sym_encrypt('***', '***')"],
    // Dynamic SQL that carries a password.
    ["DO $$BEGIN EXECUTE 'ALTER ROLE a PASSWORD ''x'''; END$$", "DO '***'"],
    // Text that does not parse and names a password: every literal.
    ["ALTER ROLE carol PASSWORDX 'S3cret'", "ALTER ROLE carol PASSWORDX '***'"],
    ["alter role x password 'S3cr", "alter role x password '***'"],
    // A URL's password inside any literal.
    ["SELECT 'postgresql://u:S3cret@h/db'", "SELECT 'postgresql://u:***@h/db'"],
  ];
  it("hides the secret literals and keeps the rest", () => {
    for (const [sql, shown] of cases) expect(redactSecrets(sql, "postgres"), sql).toBe(shown);
  });

  it("gives text that still parses when the original did", () => {
    for (const [sql] of cases)
      if (tryParseSql(sql)) expect(tryParseSql(redactSecrets(sql, "postgres")), sql).not.toBeNull();
  });

  it("marks a statement whose secret is a parameter", () => {
    expect(findSecrets("ALTER ROLE dave PASSWORD $1", "postgres")).toEqual({
      text: "ALTER ROLE dave PASSWORD $1",
      secret: true,
    });
    expect(findSecrets("select pgp_sym_decrypt(ssn, $1) from users where id = $2", "postgres").secret).toBe(
      true,
    );
    expect(findSecrets("select * from users where id = $1", "postgres").secret).toBe(false);
  });

  it("leaves text without a secret as it is", () => {
    for (const sql of [
      "SELECT * FROM orders WHERE status = 'paid' AND note = 'key account'",
      "CREATE TABLE t (id int PRIMARY KEY, k text DEFAULT 'x')",
      "ALTER ROLE app CONNECTION LIMIT 5",
      "CREATE ROLE r BYPASSRLS",
      "SET work_mem = '64MB'",
      "SELECT set_config('search_path', 'app', false)",
      "SELECT 'token count', encode(digest('x', 'sha256'), 'hex')",
      "not sql at all 'value'",
    ])
      expect(findSecrets(sql, "postgres"), sql).toEqual({ text: sql, secret: false });
  });
});

describe("redactSecrets on MySQL/MariaDB text", () => {
  const cases: Array<[string, string]> = [
    ["SET PASSWORD FOR 'bob'@'%' = PASSWORD('S3cret')", "SET PASSWORD FOR 'bob'@'%' = PASSWORD('***')"],
    ["SET PASSWORD FOR `bob`@`%` = 'S3cret'", "SET PASSWORD FOR `bob`@`%` = '***'"],
    ['SET PASSWORD = "S3cret"', "SET PASSWORD = '***'"],
    ["CREATE USER 'eve'@'%' IDENTIFIED BY 'S3cret'", "CREATE USER 'eve'@'%' IDENTIFIED BY '***'"],
    [
      "ALTER USER 'eve'@'%' IDENTIFIED WITH caching_sha2_password BY 'S3cret'",
      "ALTER USER 'eve'@'%' IDENTIFIED WITH caching_sha2_password BY '***'",
    ],
    [
      "CREATE USER 'e'@'h' IDENTIFIED VIA ed25519 USING PASSWORD('S3cret')",
      "CREATE USER 'e'@'h' IDENTIFIED VIA ed25519 USING PASSWORD('***')",
    ],
    [
      "GRANT ALL ON *.* TO 'e'@'h' IDENTIFIED BY PASSWORD '*ABC'",
      "GRANT ALL ON *.* TO 'e'@'h' IDENTIFIED BY PASSWORD '***'",
    ],
    ["SELECT AES_ENCRYPT('pan', 'S3cret'), 'kept'", "SELECT AES_ENCRYPT('***', '***'), 'kept'"],
    [
      "select aes_decrypt(col, UNHEX(SHA2('S3cret', 512))) from t",
      "select aes_decrypt(col, UNHEX(SHA2('***', 512))) from t",
    ],
    [
      "CHANGE MASTER TO MASTER_HOST='h', MASTER_USER='r', MASTER_PASSWORD='S3cret'",
      "CHANGE MASTER TO MASTER_HOST='h', MASTER_USER='r', MASTER_PASSWORD='***'",
    ],
    [
      "CHANGE REPLICATION SOURCE TO SOURCE_PASSWORD = 'S3cret'",
      "CHANGE REPLICATION SOURCE TO SOURCE_PASSWORD = '***'",
    ],
    [
      "CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'r', PASSWORD 'S3cret', HOST 'h')",
      "CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'r', PASSWORD '***', HOST 'h')",
    ],
    [
      "UPDATE users SET password = 'S3cret' WHERE name = 'ann'",
      "UPDATE users SET password = '***' WHERE name = 'ann'",
    ],
    ["PREPARE s FROM 'CREATE USER a IDENTIFIED BY ''x'''", "PREPARE s FROM '***'"],
    // A password in a form the scan does not know: every literal.
    [
      "INSTALL SONAME 'x' /* password */; START SLAVE PASSWORD 'S3cret' USER 'r'",
      "INSTALL SONAME 'x' /* password */; START SLAVE PASSWORD '***' USER 'r'",
    ],
    ["ALTER USER r PASSWORD EXPIRE; SELECT 'a'", "ALTER USER r PASSWORD EXPIRE; SELECT '***'"],
  ];
  it("hides the secret literals and keeps the rest", () => {
    for (const [sql, shown] of cases) expect(redactSecrets(sql, "mysql"), sql).toBe(shown);
  });

  it("leaves text without a secret as it is", () => {
    for (const sql of [
      "SELECT * FROM orders WHERE status = 'paid' AND `key` = 'k1'",
      "INSERT INTO t (a) VALUES ('x')",
      "SELECT SHA2('x', 256)",
    ])
      expect(findSecrets(sql, "mysql"), sql).toEqual({ text: sql, secret: false });
  });
});

describe("redactParameters", () => {
  it("hides every bound value", () => {
    expect(redactParameters("$1 = 'S3cret', $2 = NULL, $3 = '4'")).toBe("$1 = '***', $2 = '***', $3 = '***'");
    expect(redactParameters("$1 = 'a, $2 = b'")).toBe("$1 = '***'");
    expect(redactParameters("S3cret, 42")).toBe("'***'");
  });
});
