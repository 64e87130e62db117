import { describe, expect, it } from "vitest";
import { InputError } from "../util/input-error.js";
import { refuseClusterWide } from "./postgres-sandbox-confinement.js";

const refusal = async (text: string) => {
  try {
    await refuseClusterWide("m.sql", text);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message;
  }
};

describe("refuseClusterWide (PostgreSQL migrate trace --sandbox)", () => {
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
