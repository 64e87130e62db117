import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));

/** Folders of what many reports share: one per format, the findings sections every format cuts, the plan picture. */
const SHARED = new Set(["terminal", "markdown", "html", "sarif", "findings", "plan-picture"]);

/** Every module under reporters/ with the reporters folders its relative imports reach. */
function reporterImports(): Array<{ file: string; folder: string; imports: string[] }> {
  const out: Array<{ file: string; folder: string; imports: string[] }> = [];
  for (const entry of readdirSync(here, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts") || entry.name.endsWith(".test.ts")) continue;
    const path = join(entry.parentPath, entry.name);
    const file = relative(here, path);
    const imports = [...readFileSync(path, "utf8").matchAll(/(?:from\s+|import\(\s*)"(\.{1,2}\/[^"]+)"/g)]
      .map((m) => relative(here, resolve(entry.parentPath, m[1] as string)))
      .filter((target) => !target.startsWith(".."))
      .map((target) => target.split("/")[0] as string);
    out.push({ file, folder: file.split("/")[0] as string, imports });
  }
  return out;
}

describe("reporters' layout", () => {
  const modules = reporterImports();

  it("keeps every module in a folder: one per report, or one of what reports share", () => {
    expect(modules.filter((m) => !m.file.includes("/")).map((m) => m.file)).toEqual([]);
  });

  it("lets a report's folder use only its own files and the shared folders, and shared folders no report's", () => {
    const crossings = modules.flatMap((m) =>
      m.imports
        .filter((folder) => folder !== m.folder && !SHARED.has(folder))
        .map((folder) => `${m.file} -> ${folder}/`),
    );
    expect(crossings).toEqual([]);
  });
});
