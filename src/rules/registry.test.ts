import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { allRules, LOG_RULES, MYSQL_MIGRATION_RULES, MYSQL_RULES } from "./registry.js";
import { REWRITE_RULES } from "./rewrite/registry.js";

const here = dirname(fileURLToPath(import.meta.url));

describe("rule registry", () => {
  const rules = allRules();

  it("has unique ids, sorted, each family/kebab-name", () => {
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const rule of rules) {
      expect(rule.id).toMatch(
        /^(plan|health|migration|config|workload|history|architecture)\/[a-z0-9]+(-[a-z0-9]+)*$/,
      );
      expect(rule.id.startsWith(`${rule.family}/`)).toBe(true);
      expect(rule.docsUrl).toMatch(
        /^https:\/\/(www\.postgresql\.org\/docs|wiki\.postgresql\.org\/wiki|dev\.mysql\.com\/doc|mariadb\.com\/kb)\//,
      );
      for (const option of Object.values(rule.options)) expect(option.description.length).toBeGreaterThan(5);
    }
  });

  it("registers every rule file of every family, each with its test beside it", () => {
    const ids = new Set(
      [...rules, ...LOG_RULES, ...MYSQL_RULES, ...MYSQL_MIGRATION_RULES, ...REWRITE_RULES].map((r) => r.id),
    );
    const families = readdirSync(here, { withFileTypes: true }).filter((d) => d.isDirectory());
    expect(families.map((d) => d.name).sort()).toEqual(
      [...new Set([...ids].map((id) => id.split("/")[0]))].sort(),
    );
    for (const { name: family } of families) {
      const files = readdirSync(join(here, family)).filter(
        (f) => f.endsWith(".ts") && !f.endsWith(".test.ts"),
      );
      const ruleFiles = files.filter((f) => ids.has(`${family}/${f.replace(/\.ts$/, "")}`));
      const helpers = files.filter((f) => !ruleFiles.includes(f));
      // What is not a rule says its role: the facts a family reads, a shared shape, fix or builder, the registry.
      const helperRole =
        /facts|suggestion|shape|estimate|severity|pointer|-rule|statement-text|column-def|-fix|registry/;
      expect(
        helpers.filter((f) => !helperRole.test(f)),
        family,
      ).toEqual([]);
      for (const file of ruleFiles)
        expect(existsSync(join(here, family, file.replace(/\.ts$/, ".test.ts")))).toBe(true);
    }
  });

  it("keeps each rule in the file named for its id, rules/<family>/<name>.ts", () => {
    for (const rule of [...rules, ...LOG_RULES, ...MYSQL_RULES, ...MYSQL_MIGRATION_RULES, ...REWRITE_RULES])
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
