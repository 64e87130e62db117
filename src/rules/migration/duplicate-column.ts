import { relationName } from "../../facts/migration/lock-model.js";
import { migrationRule } from "./migration-rule.js";

type Node = Record<string, unknown>;

/**
 * A column named twice where PostgreSQL takes each once: it refuses the statement when it analyses it, so the
 * migration stops there (on every database, but a parser-only check and a review both pass it). squawk's
 * ban-duplicate-column-assignments.
 */
export const duplicateColumn = migrationRule({
  id: "migration/duplicate-column",
  title: "Column named twice: PostgreSQL refuses the statement",
  description:
    "The same column assigned twice in UPDATE ... SET, ON CONFLICT DO UPDATE or MERGE, listed twice in INSERT's columns, defined twice in CREATE TABLE, or named twice among a view's or SELECT INTO's columns. PostgreSQL refuses it ('multiple assignments to same column', 'column specified more than once') and the migration stops. Assignments to different fields or elements of one column (a.x, a[1]) are allowed.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/sql-update.html",
  check(st) {
    const [kind, value] = Object.entries(st.stmt)[0] ?? ["", {}];
    const body = value as Node;
    const found: Array<{ column: string; where: string }> = [];
    const assigned = (targets: unknown, where: string) => {
      const column = repeatedAssignment(targets);
      if (column) found.push({ column, where });
    };
    const named = (names: Array<string | null>, where: string) => {
      const seen = new Set<string>();
      for (const name of names) {
        if (name === null) continue;
        if (seen.has(name)) return void found.push({ column: name, where });
        seen.add(name);
      }
    };
    if (kind === "UpdateStmt") assigned(body.targetList, "UPDATE ... SET");
    if (kind === "InsertStmt") {
      assigned(body.cols, "INSERT's column list");
      const conflict = body.onConflictClause as Node | undefined;
      assigned(
        (conflict?.OnConflictClause as Node | undefined)?.targetList ?? conflict?.targetList,
        "ON CONFLICT DO UPDATE SET",
      );
    }
    if (kind === "MergeStmt")
      for (const w of (body.mergeWhenClauses as Node[]) ?? []) {
        const when = w.MergeWhenClause as Node;
        assigned(
          when.targetList,
          when.commandType === "CMD_INSERT" ? "MERGE's INSERT column list" : "MERGE's UPDATE SET",
        );
      }
    if (kind === "CreateStmt" || kind === "CreateForeignTableStmt") {
      const create = kind === "CreateStmt" ? body : ((body.base as Node | undefined) ?? body);
      named(
        ((create.tableElts as Node[]) ?? []).map((e) => {
          const def = e.ColumnDef as Node | undefined;
          return typeof def?.colname === "string" ? def.colname : null;
        }),
        `CREATE TABLE ${relationName(create.relation) ?? ""}`.trim(),
      );
    }
    if (kind === "ViewStmt") {
      const aliases = ((body.aliases as Node[]) ?? []).map((a) =>
        String((a.String as Node | undefined)?.sval),
      );
      const select = (body.query as Node | undefined)?.SelectStmt as Node | undefined;
      named(aliases.length > 0 ? aliases : outputNames(select), "the view's columns");
    }
    if (kind === "SelectStmt" && body.intoClause) named(outputNames(body), "SELECT INTO's columns");
    if (kind === "CreateTableAsStmt") {
      // CreateTableAsStmt.into is the IntoClause itself, not wrapped as { IntoClause: ... } like other nodes.
      const into = body.into as Node | undefined;
      const names = ((into?.colNames as Node[]) ?? []).map((a) =>
        String((a.String as Node | undefined)?.sval),
      );
      const select = (body.query as Node | undefined)?.SelectStmt as Node | undefined;
      named(names.length > 0 ? names : outputNames(select), "CREATE TABLE AS's columns");
    }
    return found.map(({ column, where }) => ({
      severity: "error" as const,
      title: `Column ${column} is named twice in ${where}: PostgreSQL refuses the statement`,
      detail: `PostgreSQL checks each column is taken once when it analyses the statement, so this one fails and the migration stops here (a parser-only check accepts it). If both were meant, only one of them can stay.`,
      fix: { note: `Name ${column} once${where.includes("SET") ? ", with the value meant to win" : ""}.` },
    }));
  },
});

/** The column assigned twice in a SET or column list, or null: a.x and a.y, or a[1] and a[2], are allowed. */
function repeatedAssignment(targets: unknown): string | null {
  const whole = new Set<string>();
  const partial = new Set<string>();
  for (const t of (targets as Node[] | undefined) ?? []) {
    const target = t.ResTarget as Node | undefined;
    const name = target?.name;
    if (typeof name !== "string") continue;
    const isPartial = ((target?.indirection as Node[] | undefined) ?? []).length > 0;
    if (whole.has(name) || (!isPartial && partial.has(name))) return name;
    (isPartial ? partial : whole).add(name);
  }
  return null;
}

/** A SELECT's output column names as PostgreSQL names them (alias, column, function, ?column?); null where unsure. */
function outputNames(select: Node | undefined): Array<string | null> {
  return ((select?.targetList as Node[] | undefined) ?? []).map((t) => {
    const target = t.ResTarget as Node;
    if (typeof target.name === "string") return target.name;
    const val = target.val as Node | undefined;
    const fields = ((val?.ColumnRef as Node | undefined)?.fields as Node[] | undefined) ?? [];
    const last = fields.at(-1) as Node | undefined;
    if (last?.String) return String((last.String as Node).sval);
    if (last?.A_Star) return null;
    const func = ((val?.FuncCall as Node | undefined)?.funcname as Node[] | undefined)?.at(-1) as
      | Node
      | undefined;
    if (func?.String) return String((func.String as Node).sval);
    if (val?.A_Const) return "?column?";
    return null;
  });
}
