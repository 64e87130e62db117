/** A column's type as the parse tree gives it, for comparing an old type with a new one. */
type Node = Record<string, unknown>;

export interface ColumnType {
  /** Type name without pg_catalog: int4, varchar, numeric, serial, timestamptz ... */
  name: string;
  /** Type modifiers: varchar(20) → [20], numeric(10, 2) → [10, 2]. */
  mods: number[];
  array: boolean;
}

/** The type of a ColumnDef (or any node with a typeName). */
export function columnType(def: Node | undefined): ColumnType | null {
  const t = def?.typeName as Node | undefined;
  if (!t) return null;
  const names = ((t.names as Node[]) ?? []).map((n) => String((n.String as Node).sval));
  const mods = ((t.typmods as Node[]) ?? []).map((m) =>
    Number(((m.A_Const as Node)?.ival as Node)?.ival ?? 0),
  );
  return { name: names.filter((n) => n !== "pg_catalog").join("."), mods, array: !!t.arrayBounds };
}

export function typeText(t: ColumnType): string {
  return `${t.name}${t.mods.length ? `(${t.mods.join(", ")})` : ""}${t.array ? "[]" : ""}`;
}
