import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { REWRITE_RULES } from "./registry.js";

const here = dirname(fileURLToPath(import.meta.url));

describe("rewrite rule registry", () => {
  it("has unique ids, sorted, rewrite/kebab-name, with PostgreSQL documentation", () => {
    const ids = REWRITE_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const rule of REWRITE_RULES) {
      expect(rule.id).toMatch(/^rewrite\/[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(rule.docsUrl).toMatch(/^https:\/\/(www\.postgresql\.org\/docs|wiki\.postgresql\.org\/wiki)\//);
      expect(rule.title.length).toBeGreaterThan(5);
      expect(rule.description.length).toBeGreaterThan(20);
    }
  });

  it("keeps each rule in the file named for its id, with its test beside it, and registers every rule file", () => {
    for (const rule of REWRITE_RULES) {
      const file = join(here, `${rule.id.replace(/^rewrite\//, "")}.ts`);
      expect(existsSync(file), rule.id).toBe(true);
      expect(existsSync(file.replace(/\.ts$/, ".test.ts")), `${rule.id} test`).toBe(true);
    }
    const files = readdirSync(here).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
    const unregistered = files.filter(
      (f) =>
        !REWRITE_RULES.some((r) => r.id === `rewrite/${f.replace(/\.ts$/, "")}`) &&
        !/^(registry|rewrite-rule)\.ts$|-shape\.ts$/.test(f),
    );
    expect(unregistered).toEqual([]);
  });
});
