/**
 * A sampled copy of tables on a throw-away PostgreSQL 18 (the embedded server dbopt starts for the demo, the
 * store and migrate trace): each table's shape from the snapshot (columns, types, defaults, identity and
 * generated columns, keys and checks, indexes), the user's enums, domains, composite and range types first
 * (read from the catalog: user-types.ts), and the extensions of extension types (citext, hstore), built with the SQL builder and parsed back, then N% of its rows
 * (TABLESAMPLE SYSTEM, repeatable) or all rows of a small table, read in one read-only snapshot of the user's
 * database and streamed in with text COPY. Foreign keys are not copied: sampled rows need not have their
 * referenced rows. The server and its directory are removed by close().
 */
import { performance } from "node:perf_hooks";
import { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../connectors/postgres/target.js";
import type { Snapshot } from "../../facts/snapshot.js";
import { InputError } from "../../util/input-error.js";
import { checkSql, ident, list, qname, type SqlText, sql, sqlFrom } from "../../util/sql-text.js";
import { type UserTypeDefinition, userTypeDefinitions } from "./user-types.js";

/** Tables up to this many rows are copied whole (the reference-table size of the Citus analysis). */
const WHOLE_TABLE_ROWS = 100_000;

export interface CopiedTable {
  /** schema.name */
  table: string;
  /** Percent of the rows sampled; null when the table was copied whole. */
  percent: number | null;
  rows: number;
  /** Time to stream the rows in (read on the source and COPY into the sample). */
  ms: number;
}

export interface SampledCopy {
  /** A writable session on the copy. */
  db: PostgresConnector;
  /** The copy's server version, as the server says it. */
  serverVersion: string;
  tables: CopiedTable[];
  /** What could not be copied as it is (an index on an operator class the copy lacks), each one line. */
  notes: string[];
  /** Copy more tables into the same database (names already copied are skipped). */
  add(tables: Array<{ schema: string; name: string }>): Promise<CopiedTable[]>;
  close(): Promise<void>;
}

type Table = Snapshot["tables"][number];

/** Start the embedded PostgreSQL 18 and copy `tables` into it. */
export async function sampledCopy(
  source: PostgresConnector,
  snapshot: Snapshot,
  tables: Array<{ schema: string; name: string }>,
  percent: number,
  onProgress: (message: string) => void = () => {},
): Promise<SampledCopy> {
  // Loaded here only: the embedded server installs process exit hooks when it starts.
  const { startEmbeddedServer } = await import("../../connectors/embedded/embedded-server.js");
  onProgress("starting the embedded PostgreSQL 18 for the sampled copy");
  const server = await startEmbeddedServer({ onProgress });
  let db: PostgresConnector | null = null;
  try {
    const admin = await PostgresConnector.connect(resolveTarget({ db: server.url }));
    try {
      await admin.allowWrites();
      await admin.query("CREATE DATABASE dbopt_sample");
    } finally {
      await admin.close();
    }
    // The migration's copy and index builds run whole on the sample: the limit is the embedded server's own.
    const opened = await PostgresConnector.connect(resolveTarget({ db: server.urlFor("dbopt_sample") }), {
      statementTimeoutMs: 30 * 60_000,
    });
    db = opened;
    await opened.allowWrites();
    const copied: CopiedTable[] = [];
    const notes: string[] = [];
    const done = new Set<string>();
    const types = new Set<string>();
    const add = async (wanted: Array<{ schema: string; name: string }>) => {
      const fresh: Table[] = [];
      for (const w of wanted) {
        const t = snapshot.tables.find((x) => x.schema === w.schema && x.name === w.name);
        if (!t || done.has(`${t.schema}.${t.name}`)) continue;
        done.add(`${t.schema}.${t.name}`);
        fresh.push(t);
        const userTypes = await userTypeDefinitions(source, t.schema, t.name);
        await createShape(
          opened,
          snapshot,
          t,
          notes,
          userTypes.filter((u) => !types.has(u.key)),
        );
        for (const u of userTypes) types.add(u.key);
      }
      const out: CopiedTable[] = [];
      // One snapshot of the user's database for all rows, so the tables a statement joins agree.
      await source.inReadOnlySnapshot(async () => {
        for (const t of fresh) {
          onProgress(`copying ${t.schema}.${t.name}`);
          out.push(await copyRows(source, opened, t, t.rowsEstimate <= WHOLE_TABLE_ROWS ? null : percent));
        }
      });
      for (const t of fresh) await opened.query(String(sql`ANALYZE ${qname(t.schema, t.name)}`));
      copied.push(...out);
      return out;
    };
    await add(tables);
    return {
      db: opened,
      serverVersion: server.version,
      tables: copied,
      notes,
      add,
      close: async () => {
        await opened.close();
        await server.stop();
      },
    };
  } catch (error) {
    await db?.close();
    await server.stop();
    throw error;
  }
}

/**
 * The table's shape on the copy: schema, the user's types its columns use, sequences its defaults call, columns,
 * keys and checks, indexes.
 */
async function createShape(
  db: PostgresConnector,
  snapshot: Snapshot,
  t: Table,
  notes: string[],
  userTypes: UserTypeDefinition[],
): Promise<void> {
  const name = qname(t.schema, t.name);
  const run = async (text: SqlText) => db.query(String(checkSql(text, 1)));
  await run(sql`CREATE SCHEMA IF NOT EXISTS ${ident(t.schema)}`);
  for (const u of userTypes) {
    if (u.extension && !(await available(db, u.extension.name)))
      throw new InputError(
        `${t.schema}.${t.name} has a column of the type ${u.extension.type} of the extension ${u.extension.name}, which the embedded PostgreSQL 18 does not have: no sampled copy`,
        "measure on a full copy of the database instead (--db COPY_URL --sandbox), or leave out --sample",
      );
    for (const statement of u.statements)
      await run(statement).catch((error: Error) => {
        throw new InputError(
          `${u.extension ? `the extension ${u.extension.name}` : `the type ${u.key}`} of ${t.schema}.${t.name} cannot be created on PostgreSQL 18: ${error.message}`,
          "measure on a full copy of the database instead (--db COPY_URL --sandbox), or leave out --sample",
        );
      });
  }
  const columns = [...t.columns].sort((a, b) => a.position - b.position);
  for (const c of columns) {
    const serial = /^nextval\('(.+)'::regclass\)$/.exec(c.default ?? "");
    if (serial)
      await run(
        sql`CREATE SEQUENCE IF NOT EXISTS ${sqlFrom("server", (serial[1] as string).replace(/''/g, "'"))}`,
      );
  }
  const definitions = columns.map((c) => {
    const type = sqlFrom("server", c.type);
    const notNull = c.notNull ? sql` NOT NULL` : sql``;
    if (c.generated === "s" && c.default)
      return sql`${ident(c.name)} ${type} GENERATED ALWAYS AS (${sqlFrom("server", c.default)}) STORED`;
    if (c.identity === "a") return sql`${ident(c.name)} ${type} GENERATED ALWAYS AS IDENTITY${notNull}`;
    if (c.identity === "d") return sql`${ident(c.name)} ${type} GENERATED BY DEFAULT AS IDENTITY${notNull}`;
    const fallback = c.default ? sql` DEFAULT ${sqlFrom("server", c.default)}` : sql``;
    return sql`${ident(c.name)} ${type}${fallback}${notNull}`;
  });
  try {
    await run(sql`CREATE TABLE ${name} (${list(definitions)})`);
  } catch (error) {
    throw new InputError(
      `the sampled copy of ${t.schema}.${t.name} cannot be created on PostgreSQL 18: ${(error as Error).message}`,
      "measure on a full copy of the database instead (--db COPY_URL --sandbox), or leave out --sample",
    );
  }
  const constraints = snapshot.constraints.filter(
    (c) =>
      c.schema === t.schema &&
      c.table === t.name &&
      !c.parent &&
      (c.type === "primary" || c.type === "unique" || c.type === "check" || c.type === "exclusion"),
  );
  for (const c of constraints)
    await run(
      sql`ALTER TABLE ${name} ADD CONSTRAINT ${ident(c.name)} ${sqlFrom("server", c.definition)}`,
    ).catch((error: Error) =>
      notes.push(`${t.schema}.${t.name}: constraint ${c.name} not copied (${error.message}).`),
    );
  for (const i of snapshot.indexes.filter(
    (x) => x.tableSchema === t.schema && x.table === t.name && x.isValid && !x.constraint,
  ))
    await run(sqlFrom("server", i.definition)).catch((error: Error) =>
      notes.push(`${t.schema}.${t.name}: index ${i.name} not copied (${error.message}).`),
    );
}

/** Whether the copy's server can CREATE EXTENSION `name` (its files are installed). */
async function available(db: PostgresConnector, name: string): Promise<boolean> {
  const rows = await db.query("SELECT 1 FROM pg_available_extensions WHERE name = $1", [name]);
  return rows.length > 0;
}

/** The rows, or `percent` of them, streamed from the user's database into the copy (generated columns recomputed). */
async function copyRows(
  source: PostgresConnector,
  target: PostgresConnector,
  t: Table,
  percent: number | null,
): Promise<CopiedTable> {
  const name = qname(t.schema, t.name);
  const stored = [...t.columns]
    .sort((a, b) => a.position - b.position)
    .filter((c) => c.generated !== "s")
    .map((c) => ident(c.name));
  const columns = list(stored);
  // SYSTEM picks whole pages (it reads only the pages it keeps); REPEATABLE makes two runs draw the same pages.
  const sample = percent === null ? sql`` : sql` TABLESAMPLE SYSTEM (${percent}) REPEATABLE (15)`;
  const started = performance.now();
  const sink = await target.copyIn(String(checkSql(sql`COPY ${name} (${columns}) FROM STDIN`, 1)));
  try {
    await source.copyOut(
      String(checkSql(sql`COPY (SELECT ${columns} FROM ${name}${sample}) TO STDOUT`, 1)),
      (chunk) => sink.write(chunk),
    );
  } catch (error) {
    await sink.abort("the source copy failed");
    throw error;
  }
  const rows = await sink.end();
  return { table: `${t.schema}.${t.name}`, percent, rows, ms: performance.now() - started };
}
