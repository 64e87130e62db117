/**
 * Which table locks a DDL statement takes, as PostgreSQL's documentation (and `dbopt migrate trace`, which reads
 * pg_locks) has them, and what each lock holds up: ACCESS EXCLUSIVE queues reads and writes, SHARE and the
 * EXCLUSIVE family queue writes, SHARE UPDATE EXCLUSIVE and weaker queue neither (only other DDL and VACUUM).
 */
export type LockMode =
  | "AccessShareLock"
  | "RowShareLock"
  | "RowExclusiveLock"
  | "ShareUpdateExclusiveLock"
  | "ShareLock"
  | "ShareRowExclusiveLock"
  | "ExclusiveLock"
  | "AccessExclusiveLock";

export const LOCK_STRENGTH: Record<LockMode, number> = {
  AccessShareLock: 1,
  RowShareLock: 2,
  RowExclusiveLock: 3,
  ShareUpdateExclusiveLock: 4,
  ShareLock: 5,
  ShareRowExclusiveLock: 6,
  ExclusiveLock: 7,
  AccessExclusiveLock: 8,
};

/** LOCK TABLE's mode numbers (LockStmt.mode, 1 = ACCESS SHARE ... 8 = ACCESS EXCLUSIVE), in order. */
const LOCK_MODES: LockMode[] = [
  "AccessShareLock",
  "RowShareLock",
  "RowExclusiveLock",
  "ShareUpdateExclusiveLock",
  "ShareLock",
  "ShareRowExclusiveLock",
  "ExclusiveLock",
  "AccessExclusiveLock",
];

export type Blocks = "reads and writes" | "writes" | "nothing";

export function blockedBy(mode: LockMode): Blocks {
  if (mode === "AccessExclusiveLock") return "reads and writes";
  if (LOCK_STRENGTH[mode] >= LOCK_STRENGTH.ShareLock) return "writes";
  return "nothing";
}

export interface TableLock {
  /** Table name as written (unqualified names stay unqualified). */
  table: string;
  mode: LockMode;
}

type Node = Record<string, unknown>;

/** The strongest lock each table named by the statement gets; [] when the statement locks no existing table. */
export function statementLocks(stmt: Node): TableLock[] {
  const locks = new Map<string, LockMode>();
  // A RangeVar, or a dotted name already made (DROP's object lists).
  const take = (rel: unknown, mode: LockMode) => {
    const name = typeof rel === "string" ? rel : relationName(rel);
    if (!name) return;
    const held = locks.get(name);
    if (!held || LOCK_STRENGTH[mode] > LOCK_STRENGTH[held]) locks.set(name, mode);
  };
  const [kind, body] = Object.entries(stmt)[0] ?? ["", {}];
  const s = body as Node;
  switch (kind) {
    case "IndexStmt":
      take(s.relation, s.concurrent ? "ShareUpdateExclusiveLock" : "ShareLock");
      break;
    case "AlterTableStmt":
      for (const cmd of (s.cmds as Node[]) ?? []) {
        const c = cmd.AlterTableCmd as Node;
        take(s.relation, alterTableLock(c));
        const constraint = (c.def as Node | undefined)?.Constraint as Node | undefined;
        if (c.subtype === "AT_AddConstraint" && constraint?.contype === "CONSTR_FOREIGN")
          take(constraint.pktable, "ShareRowExclusiveLock");
        // ADD COLUMN ... REFERENCES adds a foreign key too: SHARE ROW EXCLUSIVE on the referenced table.
        const column = (c.def as Node | undefined)?.ColumnDef as Node | undefined;
        if (c.subtype === "AT_AddColumn")
          for (const k of (column?.constraints as Node[]) ?? []) {
            const kc = k.Constraint as Node;
            if (kc.contype === "CONSTR_FOREIGN") take(kc.pktable, "ShareRowExclusiveLock");
          }
        // DETACH PARTITION locks the partition too; CONCURRENTLY only SHARE UPDATE EXCLUSIVE on both.
        const partition = (c.def as Node | undefined)?.PartitionCmd as Node | undefined;
        if (c.subtype === "AT_DetachPartition")
          take(partition?.name, partition?.concurrent ? "ShareUpdateExclusiveLock" : "AccessExclusiveLock");
      }
      break;
    case "LockStmt":
      for (const r of (s.relations as Node[]) ?? [])
        take(r, LOCK_MODES[Number(s.mode) - 1] ?? "AccessExclusiveLock");
      break;
    case "RenameStmt":
    case "TruncateStmt":
      take(s.relation, "AccessExclusiveLock");
      for (const r of (s.relations as Node[]) ?? []) take(r, "AccessExclusiveLock");
      break;
    case "VacuumStmt": {
      const full = optionOn(s.options, "full");
      for (const r of (s.rels as Node[]) ?? [])
        take((r.VacuumRelation as Node).relation, full ? "AccessExclusiveLock" : "ShareUpdateExclusiveLock");
      break;
    }
    case "ClusterStmt":
      take(s.relation, "AccessExclusiveLock");
      break;
    case "CreateStmt":
      // A new table's foreign keys take SHARE ROW EXCLUSIVE on each table they reference (measured on PG15):
      // writes to all of them wait until the creating transaction commits.
      for (const e of (s.tableElts as Node[]) ?? []) {
        const table = e.Constraint as Node | undefined;
        const columns = ((e.ColumnDef as Node | undefined)?.constraints as Node[] | undefined) ?? [];
        for (const c of [table, ...columns.map((k) => k.Constraint as Node)])
          if (c?.contype === "CONSTR_FOREIGN") take(c.pktable, "ShareRowExclusiveLock");
      }
      break;
    case "AlterObjectSchemaStmt":
      if (s.objectType === "OBJECT_TABLE") take(s.relation, "AccessExclusiveLock");
      break;
    case "ReindexStmt": {
      const concurrently = optionOn(s.params, "concurrently");
      if (s.kind === "REINDEX_OBJECT_TABLE")
        take(s.relation, concurrently ? "ShareUpdateExclusiveLock" : "ShareLock");
      break;
    }
    case "CreateTrigStmt":
      take(s.relation, "ShareRowExclusiveLock");
      break;
    case "UpdateStmt":
    case "DeleteStmt":
    case "InsertStmt":
      take(s.relation, "RowExclusiveLock");
      break;
    case "RefreshMatViewStmt":
      take(s.relation, s.concurrent ? "ExclusiveLock" : "AccessExclusiveLock");
      break;
    case "DropStmt":
      if (s.removeType === "OBJECT_TABLE" || s.removeType === "OBJECT_MATVIEW")
        for (const o of (s.objects as Node[]) ?? []) take(listName(o), "AccessExclusiveLock");
      // DROP TRIGGER/POLICY/RULE name ON table: the table's name is the list without its last item.
      if (
        s.removeType === "OBJECT_TRIGGER" ||
        s.removeType === "OBJECT_POLICY" ||
        s.removeType === "OBJECT_RULE"
      )
        for (const o of (s.objects as Node[]) ?? []) take(listName(o, 1), "AccessExclusiveLock");
      break;
    // Row security policies and rules are part of the table's definition: ACCESS EXCLUSIVE, like ALTER TABLE.
    case "CreatePolicyStmt":
    case "AlterPolicyStmt":
      take(s.table, "AccessExclusiveLock");
      break;
    case "RuleStmt":
      take(s.relation, "AccessExclusiveLock");
      break;
  }
  return [...locks].map(([table, mode]) => ({ table, mode }));
}

/** ALTER TABLE subcommands that take less than ACCESS EXCLUSIVE (PostgreSQL docs, ALTER TABLE). */
function alterTableLock(c: Node): LockMode {
  const constraint = (c.def as Node | undefined)?.Constraint as Node | undefined;
  switch (c.subtype) {
    case "AT_ValidateConstraint":
    case "AT_SetStatistics":
    case "AT_ClusterOn":
    case "AT_DropCluster":
    case "AT_SetOptions":
    case "AT_ResetOptions":
    case "AT_SetRelOptions":
    case "AT_ResetRelOptions":
    case "AT_AttachPartition":
      return "ShareUpdateExclusiveLock";
    case "AT_DetachPartition":
      return ((c.def as Node | undefined)?.PartitionCmd as Node | undefined)?.concurrent
        ? "ShareUpdateExclusiveLock"
        : "AccessExclusiveLock";
    case "AT_AddConstraint":
      return constraint?.contype === "CONSTR_FOREIGN" ? "ShareRowExclusiveLock" : "AccessExclusiveLock";
    case "AT_EnableTrig":
    case "AT_DisableTrig":
    case "AT_EnableTrigAll":
    case "AT_DisableTrigAll":
    case "AT_EnableTrigUser":
    case "AT_DisableTrigUser":
      return "ShareRowExclusiveLock";
    default:
      return "AccessExclusiveLock";
  }
}

export function relationName(rel: unknown): string | null {
  if (!rel || typeof rel !== "object") return null;
  const r = ((rel as Node).RangeVar as Node | undefined) ?? (rel as Node);
  if (typeof r.relname !== "string") return null;
  return typeof r.schemaname === "string" ? `${r.schemaname}.${r.relname}` : r.relname;
}

/** A RangeVar's schema (when written) and name, as the parser decoded them: for building SQL that names it. */
export function relationParts(rel: unknown): { schema: string | null; name: string } | null {
  if (!rel || typeof rel !== "object") return null;
  const r = ((rel as Node).RangeVar as Node | undefined) ?? (rel as Node);
  if (typeof r.relname !== "string") return null;
  return { schema: typeof r.schemaname === "string" ? r.schemaname : null, name: r.relname };
}

/** The parts of a dotted name in a DropStmt object (a List of String nodes), as the parser decoded them. */
export function listParts(o: Node): string[] {
  const items = ((o.List as Node | undefined)?.items as Node[]) ?? [];
  return items.map((i) => (i.String as Node | undefined)?.sval).filter((x): x is string => !!x);
}

/**
 * Whether a generic option is on: `(FULL)`, `(FULL true)`, `(FULL on)`, `(FULL 1)` are; `(FULL false)`, `(FULL off)`,
 * `(FULL 0)` are not (PostgreSQL's defGetBoolean).
 */
export function optionOn(options: unknown, name: string): boolean {
  const def = ((options as Node[]) ?? [])
    .map((o) => o.DefElem as Node | undefined)
    .filter((d) => d?.defname === name)
    .at(-1);
  if (!def) return false;
  const arg = def.arg as Node | undefined;
  if (!arg) return true;
  if (arg.Boolean) return !!(arg.Boolean as Node).boolval;
  if (arg.Integer) return Number((arg.Integer as Node).ival ?? 0) !== 0;
  const text = String((arg.String as Node | undefined)?.sval ?? "").toLowerCase();
  return !["false", "f", "off", "no", "n", "0"].includes(text);
}

/** The dotted name in a DropStmt object (a List of String nodes). */
export function listName(o: Node, dropLast = 0): string | null {
  const items = (((o.List as Node | undefined)?.items as Node[]) ?? []).slice(
    0,
    dropLast ? -dropLast : undefined,
  );
  const parts = items.map((i) => (i.String as Node | undefined)?.sval).filter((x): x is string => !!x);
  return parts.length ? parts.join(".") : null;
}

/** The statements PostgreSQL refuses inside a transaction block, by what it calls them; null for the rest. */
export function refusedInTransaction(stmt: Node): string | null {
  if ((stmt.IndexStmt as Node | undefined)?.concurrent) return "CREATE INDEX CONCURRENTLY";
  const drop = stmt.DropStmt as Node | undefined;
  if (drop?.concurrent) return "DROP INDEX CONCURRENTLY";
  const reindex = stmt.ReindexStmt as Node | undefined;
  if (reindex && optionOn(reindex.params, "concurrently")) return "REINDEX CONCURRENTLY";
  const vacuum = stmt.VacuumStmt as Node | undefined;
  if (vacuum?.is_vacuumcmd) return "VACUUM";
  const alter = stmt.AlterTableStmt as Node | undefined;
  for (const c of (alter?.cmds as Node[]) ?? []) {
    const cmd = c.AlterTableCmd as Node;
    const partition = (cmd.def as Node | undefined)?.PartitionCmd as Node | undefined;
    if (cmd.subtype === "AT_DetachPartition" && partition?.concurrent)
      return "ALTER TABLE ... DETACH PARTITION CONCURRENTLY";
  }
  return null;
}
