import type { Snapshot } from "../../facts/snapshot.js";
import { InputError } from "../../util/input-error.js";

/**
 * --tables and --exclude name tables of this database (as `table` or `schema.table`): a name it does not have is a
 * typo, which would otherwise end in "no index advice" and exit 0 as if the workload needed none.
 */
export function checkTableScope(snapshot: Snapshot, scope: { tables?: string[]; exclude?: string[] }): void {
  // A table left out because another session locks it is still the user's table.
  const known = new Set(
    [...snapshot.tables, ...(snapshot.skipped ?? [])].flatMap((t) => [t.name, `${t.schema}.${t.name}`]),
  );
  for (const [flag, names] of [
    ["--tables", scope.tables],
    ["--exclude", scope.exclude],
  ] as const) {
    const unknown = (names ?? []).filter((name) => !known.has(name));
    if (unknown.length)
      throw new InputError(
        `${flag} names ${unknown.map((n) => JSON.stringify(n)).join(", ")}, which this database does not have`,
        "give table names as \\dt lists them (table or schema.table, comma-separated)",
      );
  }
}
