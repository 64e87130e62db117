import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { allRules, LOG_RULES, MYSQL_MIGRATION_RULES, MYSQL_RULES } from "./registry.js";

const here = dirname(fileURLToPath(import.meta.url));

describe("rule registry", () => {
  const rules = allRules();

  it("has unique ids, sorted, each family/kebab-name", () => {
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const rule of rules) {
      expect(rule.id).toMatch(
        /^(plan|health|query|migration|config|workload|history|architecture)\/[a-z0-9]+(-[a-z0-9]+)*$/,
      );
      expect(rule.id.startsWith(`${rule.family}/`)).toBe(true);
      expect(rule.docsUrl).toMatch(
        /^https:\/\/(www\.postgresql\.org\/docs|wiki\.postgresql\.org\/wiki|dev\.mysql\.com\/doc|mariadb\.com\/kb)\//,
      );
      for (const option of Object.values(rule.options)) expect(option.description.length).toBeGreaterThan(5);
    }
  });

  it("registers every rule file, each with its test beside it", () => {
    for (const family of ["plan", "workload", "health", "config", "history", "architecture"]) {
      const files = readdirSync(join(here, family)).filter(
        (f) => f.endsWith(".ts") && !f.endsWith(".test.ts"),
      );
      const ruleFiles = files.filter((f) =>
        rules.some((r) => r.id === `${family}/${f.replace(/\.ts$/, "")}`),
      );
      const helpers = files.filter((f) => !ruleFiles.includes(f));
      expect(helpers.filter((f) => !/facts|suggestion|shape|estimate|severity/.test(f))).toEqual([]);
      for (const file of ruleFiles)
        expect(existsSync(join(here, family, file.replace(/\.ts$/, ".test.ts")))).toBe(true);
    }
  });

  it("keeps each rule in the file named for its id, rules/<family>/<name>.ts", () => {
    for (const rule of [...rules, ...LOG_RULES, ...MYSQL_RULES, ...MYSQL_MIGRATION_RULES])
      expect(existsSync(join(here, `${rule.id}.ts`)), rule.id).toBe(true);
  });

  it("names the MySQL/MariaDB rules mysql/kebab-name, unique, with MySQL or MariaDB documentation", () => {
    const ids = MYSQL_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of MYSQL_RULES) {
      expect(rule.id).toMatch(/^mysql\/[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(allRules().some((r) => r.id === rule.id)).toBe(false);
      expect(rule.docsUrl).toMatch(/^https:\/\/(dev\.mysql\.com\/doc|mariadb\.com\/kb)\//);
      for (const option of Object.values(rule.options)) expect(option.description.length).toBeGreaterThan(5);
    }
  });
});
