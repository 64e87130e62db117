import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { allRules, MYSQL_MIGRATION_RULES } from "../registry.js";

const here = dirname(fileURLToPath(import.meta.url));

describe("MySQL/MariaDB migration rules in the registry", () => {
  it("are migration-mysql/kebab-name, unique, apart from PostgreSQL's, with MySQL or MariaDB documentation", () => {
    const ids = MYSQL_MIGRATION_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of MYSQL_MIGRATION_RULES) {
      expect(rule.id).toMatch(/^migration-mysql\/[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(rule.family).toBe("migration");
      expect(allRules().some((r) => r.id === rule.id)).toBe(false);
      expect(rule.docsUrl).toMatch(/^https:\/\/(dev\.mysql\.com\/doc|mariadb\.com\/(kb|docs))\//);
      for (const option of Object.values(rule.options)) expect(option.description.length).toBeGreaterThan(5);
    }
  });

  it("registers every rule file of the folder, each with its test beside it", () => {
    const ruleFiles = readdirSync(here).filter(
      (f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !/rule|fix/.test(f),
    );
    expect(ruleFiles.map((f) => `migration-mysql/${f.replace(/\.ts$/, "")}`).sort()).toEqual(
      MYSQL_MIGRATION_RULES.map((r) => r.id),
    );
    for (const file of ruleFiles)
      expect(existsSync(join(here, file.replace(/\.ts$/, ".test.ts")))).toBe(true);
  });
});
