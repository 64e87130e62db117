import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { missingLockTimeout } from "./missing-lock-timeout.js";

describe("migration/missing-lock-timeout", () => {
  it("reports a strong lock on an existing table without lock_timeout", async () => {
    const [f] = await lintSql(missingLockTimeout, "alter table users add column plan text;");
    expect(f).toMatchObject({
      severity: "warning",
      evidence: { lock: "AccessExclusiveLock", blocks: "reads and writes" },
    });
    expect(f?.fix?.sql).toBe("SET lock_timeout = '2s';");
  });

  it("reports LOCK TABLE in a blocking mode, with the mode it asks for", async () => {
    const [f] = await lintSql(
      missingLockTimeout,
      'begin;\nlock table "Orders" in access exclusive mode;\ncommit;',
    );
    expect(f).toMatchObject({ location: { line: 2 }, evidence: { lock: "AccessExclusiveLock" } });
    const [share] = await lintSql(missingLockTimeout, "lock table orders in share mode;");
    expect(share?.evidence.lock).toBe("ShareLock");
    expect(await lintSql(missingLockTimeout, "lock table orders in row exclusive mode;")).toEqual([]);
  });

  it("reports a new table whose foreign keys lock the existing tables they reference", async () => {
    const [f] = await lintSql(
      missingLockTimeout,
      "create table order_items (id bigint, order_id bigint references orders (id));",
    );
    expect(f?.title).toBe("ShareRowExclusiveLock on orders with no lock_timeout");
    expect(
      await lintSql(
        missingLockTimeout,
        "create table orders (id bigint primary key);\ncreate table order_items (order_id bigint references orders (id));",
      ),
    ).toEqual([]);
  });

  it("reports once per file, counting the other statements", async () => {
    const findings = await lintSql(
      missingLockTimeout,
      "alter table users add column a int;\nalter table users add column b int;",
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]?.title).toBe(
      "AccessExclusiveLock on users with no lock_timeout (and 1 more statement in this file)",
    );
  });

  it("is quiet with lock_timeout set, for weak locks, on new tables, and after lock_timeout = 0 is undone", async () => {
    expect(
      await lintSql(missingLockTimeout, "set lock_timeout = '2s';\nalter table users add column plan text;"),
    ).toEqual([]);
    expect(
      await lintSql(
        missingLockTimeout,
        "begin;\nset local lock_timeout = 1000;\nalter table users drop column x;\ncommit;",
      ),
    ).toEqual([]);
    expect(await lintSql(missingLockTimeout, "create index concurrently on users (email);")).toEqual([]);
    expect(
      await lintSql(missingLockTimeout, "create table t (a int);\nalter table t add column b int;"),
    ).toEqual([]);
    expect(
      await lintSql(
        missingLockTimeout,
        "set lock_timeout = '2s';\nset lock_timeout = 0;\nalter table users add column c int;",
      ),
    ).toHaveLength(1);
  });

  it("counts DROP TRIGGER, policies and rules, which take ACCESS EXCLUSIVE on their table (squawk's require-lock-timeout catches them)", async () => {
    for (const statement of [
      "drop trigger if exists audit on users;",
      "create policy own_rows on users using (owner = current_user);",
      "drop policy own_rows on users;",
      "create rule no_delete as on delete to users do instead nothing;",
    ]) {
      const [f] = await lintSql(missingLockTimeout, statement);
      expect(f?.title, statement).toBe("AccessExclusiveLock on users with no lock_timeout");
    }
  });

  it("counts DROP INDEX and REINDEX INDEX without CONCURRENTLY on the index's table when the set built it", async () => {
    const [drop] = await lintSql(
      missingLockTimeout,
      "create index users_email on users (email);\ndrop index users_email;",
    );
    expect(drop?.location?.line).toBe(1);
    expect(drop?.title).toBe("ShareLock on users with no lock_timeout (and 1 more statement in this file)");
    const [unknown] = await lintSql(missingLockTimeout, "drop index if exists users_email;");
    expect(unknown?.title).toBe("AccessExclusiveLock on users_email with no lock_timeout");
    const [reindex] = await lintSql(missingLockTimeout, "reindex index users_email;");
    expect(reindex?.title).toBe("ShareLock on users_email with no lock_timeout");
    expect(await lintSql(missingLockTimeout, "drop index concurrently users_email;")).toEqual([]);
    expect(await lintSql(missingLockTimeout, "reindex index concurrently users_email;")).toEqual([]);
    expect(
      await lintSql(
        missingLockTimeout,
        "create table t (a int);\ncreate index t_a on t (a);\ndrop index t_a;",
      ),
    ).toEqual([]);
  });
});
