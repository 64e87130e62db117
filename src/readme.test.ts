import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { listRules } from "./pipeline/list-rules.js";
import { renderRulesMarkdown } from "./reporters/rules/rules-markdown.js";

describe("README", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

  it("lists every rule as the registry does", () => {
    const table = readme.slice(
      readme.indexOf("<!-- rules:start -->\n") + 21,
      readme.indexOf("<!-- rules:end -->"),
    );
    expect(table).toBe(renderRulesMarkdown(listRules()));
  });

  it("has the two quick-start commands", () => {
    expect(readme).toContain("npm install && npx dbopt demo");
    expect(readme).toContain("npm test");
  });
});
