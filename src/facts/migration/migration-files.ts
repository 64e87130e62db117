/**
 * The .sql files of a migration set, in the order a runner applies them: files as given, and directories walked
 * for *.sql (Prisma's `migrations/<timestamp>_<name>/migration.sql`, Drizzle's `drizzle/0000_name.sql`, plain
 * numbered files), sorted by path with numbers compared as numbers. Down migrations are left out.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { InputError } from "../../util/input-error.js";

const DOWN = /(^|[/._-])down\.sql$/i;

function migrationFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(path);
    } catch {
      throw new InputError(`${path} does not exist`, "give .sql files or folders of migrations");
    }
    if (!stat.isDirectory()) {
      out.push(path);
      continue;
    }
    const found = walk(path)
      .filter((f) => f.toLowerCase().endsWith(".sql") && !DOWN.test(f))
      .sort((a, b) => relative(path, a).localeCompare(relative(path, b), "en", { numeric: true }));
    if (found.length === 0)
      throw new InputError(`${path} holds no .sql files`, "point at the migrations folder");
    out.push(...found);
  }
  return out;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

/**
 * The files of a set and the index of the first one to check: with `from` (part of a path or migration name), the
 * files before it count as already applied.
 */
export function migrationSet(paths: string[], from: string | undefined): { all: string[]; first: number } {
  const all = migrationFiles(paths);
  const first = from ? all.findIndex((f) => f.includes(from)) : 0;
  if (first < 0)
    throw new InputError(
      `no migration file matches --from ${from}`,
      "give part of the first new migration's path or name",
    );
  return { all, first };
}
