/**
 * A MySQL/MariaDB facts file: the MysqlFacts `dbopt analyze --db mysql://... --save-snapshot FILE` collected, as
 * JSON, for `check --snapshot FILE` and `tune --snapshot FILE` offline. It is told from a PostgreSQL snapshot by
 * its `"engine": "mysql"`.
 */
import { readFile, writeFile } from "node:fs/promises";
import { InputError } from "../../util/input-error.js";
import type { MysqlFacts } from "./mysql-facts.js";

export async function writeMysqlFacts(path: string, facts: MysqlFacts): Promise<void> {
  await writeFile(path, `${JSON.stringify(facts, null, 2)}\n`);
}

/**
 * The MySQL facts in `path`, or null when the file is not one (a PostgreSQL snapshot: its own reader judges
 * it). A file that says it is MySQL's but lacks a part the rules read is refused in one line.
 */
export async function readMysqlFactsIfAny(path: string): Promise<MysqlFacts | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new InputError(`cannot read snapshot file ${path}`, "check the path and its permissions");
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Not JSON at all: the PostgreSQL snapshot reader says so in its words.
    return null;
  }
  if ((data as { engine?: unknown } | null)?.engine !== "mysql") return null;
  const missing = missingPart(data);
  if (missing)
    throw new InputError(
      `${path} is not a complete MySQL/MariaDB snapshot (${missing})`,
      "write it again with dbopt analyze --db mysql://... --save-snapshot FILE from this version of dbopt",
    );
  return data as MysqlFacts;
}

/** The first part the rules read that the data lacks, or null. */
function missingPart(data: unknown): string | null {
  const facts = data as Record<string, unknown>;
  const server = facts.server as Record<string, unknown> | undefined;
  if (typeof server !== "object" || server === null) return "server: missing";
  for (const key of ["flavour", "version", "versionText", "database"])
    if (typeof server[key] !== "string") return `server.${key}: not text`;
  if (typeof server.uptimeSeconds !== "number") return "server.uptimeSeconds: not a number";
  if (typeof facts.capturedAt !== "string") return "capturedAt: not text";
  for (const key of ["tables", "columns", "indexes", "foreignKeys", "notes"])
    if (!Array.isArray(facts[key])) return `${key}: not a list`;
  for (const key of ["indexUsage", "digests"])
    if (facts[key] !== null && !Array.isArray(facts[key])) return `${key}: not a list`;
  for (const key of ["status", "variables"])
    if (typeof facts[key] !== "object" || facts[key] === null || Array.isArray(facts[key]))
      return `${key}: not an object`;
  return null;
}
