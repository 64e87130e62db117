import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { preferRobustTypes } from "./prefer-robust-types.js";

describe("migration/prefer-robust-types", () => {
  it("advises jsonb, timestamptz and bigint keys, as info", async () => {
    const findings = await lintSql(
      preferRobustTypes,
      "create table events (id serial primary key, payload json, at timestamp);\nalter table users add column meta json;",
    );
    expect(findings.map((f) => f.title)).toEqual([
      "Primary key events.id is a 32-bit integer",
      "events.payload is json, not jsonb",
      "events.at is timestamp without time zone",
      "users.meta is json, not jsonb",
    ]);
    expect(findings.every((f) => f.severity === "info")).toBe(true);
  });

  it("is quiet for bigint identity keys, jsonb and timestamptz", async () => {
    expect(
      await lintSql(
        preferRobustTypes,
        "create table events (id bigint generated always as identity primary key, payload jsonb, at timestamptz);",
      ),
    ).toEqual([]);
  });
});
