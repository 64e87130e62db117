/**
 * `dbopt advise partitioning`: which large tables to partition, on which key and with which layout, from the
 * statements that read them and the table's growth (the history store's samples when it has some a day apart,
 * else the database's own counters); the migration, checked by dbopt's own migration linter; and with --sandbox
 * (the database is a copy) or --sample N% (a sampled copy on the embedded PostgreSQL 18) the layout built for
 * real and the table's statements timed before and after, with the partitions each one read. A sandbox is put
 * back as it was; the sampled copy is dropped with its server.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { schemaResolver } from "../advisors/index/workload-query.js";
import { measureStatements } from "../advisors/measure/measure-statement.js";
import { drawParameters, inlineSet } from "../advisors/parameters/parameter-draws.js";
import { distributionFacts } from "../advisors/partitioning/distribution-facts.js";
import {
  type DependentObject,
  type PartitionMigration,
  partitionMigration,
  type SequenceColumn,
} from "../advisors/partitioning/partition-migration.js";
import type { CopiedTable, SampledCopy } from "../advisors/partitioning/sampled-copy.js";
import { DbError } from "../connectors/db-error.js";
import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { collectSnapshot } from "../facts/collect/collect-snapshot.js";
import { statementTraits } from "../facts/scaling/statement-traits.js";
import type { Snapshot } from "../facts/snapshot.js";
import { statsAgeSeconds } from "../facts/snapshot-accessors.js";
import { queryShape } from "../facts/sql/query-shape.js";
import { type Finding, rankFindings } from "../findings/finding.js";
import { partitionKey, partitionLayout } from "../rules/architecture/partition-table.js";
import type {
  PartitioningFacts,
  PartitionKeyUse,
  PartitionTableFacts,
  TableGrowth,
} from "../rules/architecture/partitioning-facts.js";
import { PARTITIONING_RULES, SHARDING_RULES } from "../rules/registry.js";
import { type RuleOverrides, runRules } from "../rules/run-rules.js";
import type { StoredGrowth } from "../store/read-table-growth.js";
import { oneLine } from "../util/format.js";
import { InputError } from "../util/input-error.js";
import { loadSqlParser, scanSql } from "../util/sql-parser.js";
import { ident, qname, schemaQualified, sql, sqlFrom } from "../util/sql-text.js";
import { lintMigrations } from "./lint-migrations.js";
import { onConnection } from "./on-connection.js";

export interface AdvisePartitioningOptions {
  /** The database is a copy: build each layout, time the statements before and after, then put it back. */
  sandbox?: boolean;
  /**
   * Without a sandbox: copy each candidate's schema and this percent of its rows (small tables its statements
   * join: all rows) to an embedded PostgreSQL 18, and measure there. Reads only on the database given.
   */
  samplePercent?: number;
  /**
   * The history store to read growth from: a URL, or true for the embedded store in `storeHome` (which is also
   * read, when it exists, if this is absent).
   */
  store?: string | true;
  /** The embedded store's folder ($DBOPT_HOME); the default home when absent. */
  storeHome?: string;
  /** Do not look for the embedded store (growth from the database's counters). */
  noStore?: boolean;
  onProgress?: (message: string) => void;
  /** Retention in days when the statements do not say (a DELETE with a literal interval). */
  retentionDays?: number;
  overrides?: RuleOverrides;
  /**
   * Ctrl-C on a sandbox proof: the running statement is cancelled, the sandbox put back, and a DbError
   * "interrupted" says so (the process must not end between the migration and its undo).
   */
  signal?: AbortSignal;
}

export interface PartitionProof {
  statement: string;
  beforeMs: number;
  afterMs: number;
  /** Partitions the plan read after, of all partitions. */
  partitionsRead: number;
  partitions: number;
}

/** Where the proof ran: the database given (--sandbox), or a sampled copy on the embedded PostgreSQL 18. */
export type ProofSetting =
  | { kind: "sandbox"; migrationMs: number }
  | {
      kind: "sample";
      /** Percent of the candidate's rows copied. */
      percent: number;
      /** The copy's server version. */
      server: string;
      /** Every table copied for this proof: rows, whether sampled, time to stream them in. */
      tables: CopiedTable[];
      copyMs: number;
      /** The migration run on the sample, start to end (its copy statements read the sampled rows). */
      migrationMs: number;
      /** What the copy left out (foreign keys, an index it could not build). */
      notes: string[];
    };

export interface PartitionAdvice {
  table: string;
  finding: Finding;
  migration: PartitionMigration;
  /** migrate lint's findings on the migration, by severity. */
  lint: { errors: number; warnings: number; findings: Finding[] };
  proof: PartitionProof[] | null;
  proofOn: ProofSetting | null;
}

export interface PartitioningReport {
  kind: "partitioning";
  generatedAt: string;
  server: { version: string; database: string };
  findings: Finding[];
  advice: PartitionAdvice[];
  notes: string[];
}

const TIME_TYPE = /^(timestamp|date)/;
const TENANT_NAME =
  /(^|_)(tenant|account|org|organization|organisation|customer|company|shop|store|workspace|team|client)(_id)?$/;

export async function advisePartitioning(
  db: PostgresConnector | (() => Promise<PostgresConnector>),
  options: AdvisePartitioningOptions = {},
): Promise<PartitioningReport> {
  await loadSqlParser();
  return onConnection(db, (opened) => adviseOn(opened, options));
}

async function adviseOn(
  db: PostgresConnector,
  options: AdvisePartitioningOptions,
): Promise<PartitioningReport> {
  const snapshot = await collectSnapshot(db);
  const notes: string[] = [];
  if (snapshot.workload.source === "none")
    notes.push(
      `No statements: ${snapshot.workload.problem ?? "pg_stat_statements cannot be read"}; keys are chosen from statements.`,
    );
  const growth = await storedGrowth(db, snapshot, options, notes);
  const facts = partitioningFacts(snapshot, options.retentionDays ?? null, growth);
  // The Citus analysis (architecture/distribution-column) reads the same workload's joins and filters.
  const findings = rankFindings([
    ...runRules(PARTITIONING_RULES, facts, options.overrides),
    ...runRules(SHARDING_RULES, distributionFacts(snapshot), options.overrides),
  ]);
  const advice: PartitionAdvice[] = [];
  let sample: SampledCopy | null = null;
  try {
    for (const f of findings.filter((x) => x.ruleId === "architecture/partition-table")) {
      const t = facts.tables.find((x) => `${x.schema}.${x.table}` === f.objects?.[0]);
      const key = t ? partitionKey(t) : null;
      if (!t || !key) continue;
      const ruleOptions = options.overrides?.["architecture/partition-table"];
      const layout = partitionLayout(
        t,
        key,
        ruleOptions?.hashPartitions ?? 16,
        ...(ruleOptions?.maxPartitionBytes !== undefined ? [ruleOptions.maxPartitionBytes] : []),
      );
      if (layout.strategy === "range" && !t.span) {
        notes.push(
          `${t.schema}.${t.table}: ${key.column} has no statistics to size the partitions from (run ${sql`ANALYZE ${qname(t.schema, t.table)}`}); no migration written.`,
        );
        continue;
      }
      const indexes = snapshot.indexes
        .filter((i) => i.tableSchema === t.schema && i.table === t.table && i.isValid)
        .map((i) => ({
          name: i.name,
          definition: i.definition,
          isPrimary: i.isPrimary,
          constraint: i.constraint,
        }));
      const columns = snapshot.tables.find((x) => x.schema === t.schema && x.name === t.table)?.columns ?? [];
      const defaults = await sequenceDefaults(db, t);
      const sequences = columns.flatMap((c): SequenceColumn[] => {
        const serial = /^nextval\('(.+)'::regclass\)$/.exec(c.default ?? "");
        const read = defaults.find((d) => d.column === c.name);
        if (serial && read) return [{ column: c.name, sequence: read.sequence, owned: read.owned }];
        return c.identity ? [{ column: c.name, sequence: null, owned: true }] : [];
      });
      const dependents = await dependentObjects(db, t);
      const foreignKeys = snapshot.constraints
        .filter((c) => c.type === "foreign" && c.schema === t.schema && c.table === t.table)
        .map((c) => ({ name: c.name, definition: c.definition }));
      const referencedBy = snapshot.constraints
        .filter(
          (c) => c.type === "foreign" && c.refTable === t.table && (c.refSchema ?? c.schema) === t.schema,
        )
        .map((c) => `${c.schema}.${c.table} (${c.name})`);
      const taken = relationNames(snapshot, t.schema);
      const migration = partitionMigration(
        t,
        layout,
        indexes,
        sequences,
        { foreignKeys, referencedBy },
        columns,
        taken,
        dependents,
      );
      const lint = await lintMigration(db, migration, snapshot);
      const unproven: PartitionAdvice = {
        table: `${t.schema}.${t.table}`,
        finding: f,
        migration,
        lint,
        proof: null,
        proofOn: null,
      };
      const statements = proofStatements(t, key, snapshot);
      if (options.sandbox) {
        const skipped: string[] = [];
        const { proof, migrationMs } = await proveOnSandbox(
          db,
          t,
          migration,
          statements,
          skipped,
          options.signal,
        );
        notes.push(...skipped.map((x) => `${t.schema}.${t.table}: ${x}`));
        advice.push({ ...unproven, proof, proofOn: { kind: "sandbox", migrationMs } });
      } else if (options.samplePercent !== undefined) {
        const percent = options.samplePercent;
        const tables = [
          { schema: t.schema, name: t.table },
          ...statements.flatMap((s) =>
            statementTraits(s.query).tables.flatMap((x) => tableNamed(snapshot, x)),
          ),
        ];
        let copied: CopiedTable[];
        try {
          if (sample) copied = await sample.add(tables);
          else {
            const { sampledCopy } = await import("../advisors/partitioning/sampled-copy.js");
            sample = await sampledCopy(db, snapshot, tables, percent, options.onProgress);
            copied = sample.tables;
          }
        } catch (error) {
          // A table the copy cannot hold (a type from an extension it lacks), or cannot read (no privilege, the
          // statement time limit): the others are still measured. A lost connection ends the command.
          if (!(error instanceof InputError) && !(error instanceof DbError && !error.isConnectionError))
            throw error;
          notes.push(`${t.schema}.${t.table} not measured: ${error.message}.`);
          advice.push(unproven);
          continue;
        }
        const copyMs = copied.reduce((sum, c) => sum + c.ms, 0);
        // Sampled rows need not find the rows their foreign keys reference: the copy's migration adds none.
        const onSample = partitionMigration(
          t,
          layout,
          indexes,
          sequences,
          { foreignKeys: [], referencedBy },
          columns,
          taken,
        );
        const skipped: string[] = [];
        const { proof, migrationMs } = await proveOnSandbox(sample.db, t, onSample, statements, skipped);
        advice.push({
          ...unproven,
          proof,
          proofOn: {
            kind: "sample",
            percent,
            server: `PostgreSQL ${sample.serverVersion}`,
            tables: copied,
            copyMs,
            migrationMs,
            notes: [
              ...(foreignKeys.length
                ? [
                    `foreign keys not built on the sample (${foreignKeys.map((k) => k.name).join(", ")}): sampled rows need not find the rows they reference`,
                  ]
                : []),
              ...sample.notes.splice(0),
              ...skipped,
            ],
          },
        });
      } else advice.push(unproven);
    }
  } finally {
    await (sample as SampledCopy | null)?.close();
  }
  if (!options.sandbox && options.samplePercent === undefined && advice.length > 0)
    notes.push(
      "Not measured: give --sample 5% to build each layout on a sampled copy (embedded PostgreSQL 18), or --sandbox on a full copy of the database.",
    );
  if (advice.some((a) => a.proofOn?.kind === "sample"))
    notes.push(
      `Measured on a ${options.samplePercent}% sample of each candidate's rows on the embedded PostgreSQL 18 (small tables its statements join copied whole): times are the sample's, not scaled to the full table.`,
    );
  return {
    kind: "partitioning",
    generatedAt: new Date().toISOString(),
    server: { version: snapshot.server.version, database: snapshot.server.database },
    findings,
    advice,
    notes,
  };
}

/** The large tables, the columns their statements filter on, and the retention deletes, from a snapshot. */
function partitioningFacts(
  snapshot: Snapshot,
  retentionDays: number | null,
  stored: Map<string, StoredGrowth> = new Map(),
): PartitioningFacts {
  const total = Math.max(1, snapshot.workload.totalMs);
  const age = statsAgeSeconds(snapshot);
  const tables: PartitionTableFacts[] = [];
  const resolver = schemaResolver(snapshot);
  const uses = new Map<string, Map<string, PartitionKeyUse>>();
  const tableTime = new Map<string, number>();
  const retention = new Map<string, PartitionTableFacts["retention"]>();
  for (const s of snapshot.workload.statements) {
    const shape = queryShape(s.query, resolver);
    if (!shape) continue;
    const seen = new Set<string>();
    for (const block of shape.blocks)
      for (const p of block.predicates) {
        const table = snapshot.tables.find(
          (t) => t.name === p.table.name && (p.table.schema === null || t.schema === p.table.schema),
        );
        const column = table?.columns.find((c) => c.name === p.column);
        if (!table || !column || p.isExpression) continue;
        const name = `${table.schema}.${table.name}`;
        const kind =
          TIME_TYPE.test(column.type) && p.kind === "range"
            ? "time"
            : p.kind === "eq" && isTenant(snapshot, table, column.name)
              ? "tenant"
              : null;
        if (!kind || seen.has(`${name}.${column.name}`)) continue;
        seen.add(`${name}.${column.name}`);
        const byColumn = uses.get(name) ?? new Map<string, PartitionKeyUse>();
        const use = byColumn.get(column.name) ?? {
          column: column.name,
          type: column.type,
          kind,
          statements: 0,
          calls: 0,
          timeMs: 0,
          distinct: distinctOf(snapshot, table, column.name),
        };
        use.statements++;
        use.calls += s.calls;
        use.timeMs += s.totalMs;
        byColumn.set(column.name, use);
        uses.set(name, byColumn);
        if (shape.kind === "delete" && kind === "time" && /</.test(p.operator))
          retention.set(name, {
            query: s.query,
            calls: s.calls,
            timeMs: s.totalMs,
            days: retentionDays ?? daysIn(s.query),
          });
      }
    for (const name of new Set([...seen].map((x) => x.slice(0, x.lastIndexOf(".")))))
      tableTime.set(name, (tableTime.get(name) ?? 0) + s.totalMs);
  }
  for (const t of snapshot.tables.filter((x) => x.kind === "table" && !x.parent)) {
    const name = `${t.schema}.${t.name}`;
    const keys = [...(uses.get(name)?.values() ?? [])];
    // The span of the time column the key would be (the heaviest), from its histogram, else its common values.
    const time = keys.filter((k) => k.kind === "time").sort((a, b) => b.timeMs - a.timeMs)[0];
    const stats = time
      ? snapshot.columnStats.find(
          (c) => c.schema === t.schema && c.table === t.name && c.column === time.column,
        )
      : undefined;
    const seen = (stats?.histogramBounds ?? stats?.mostCommonValues ?? [])
      .map((v) => Date.parse(v))
      .filter((v) => Number.isFinite(v));
    const from = seen.length ? Math.min(...seen) : Number.NaN;
    const to = seen.length ? Math.max(...seen) : Number.NaN;
    tables.push({
      schema: t.schema,
      table: t.name,
      rows: Math.max(0, t.rowsEstimate),
      totalBytes: t.totalBytes,
      growth: growthOf(
        t,
        stored.get(name),
        time && Number.isFinite(from) && Number.isFinite(to) && to > from ? (to - from) / 86_400_000 : null,
        age,
      ),
      keys,
      uniqueKeys: snapshot.constraints
        .filter(
          (c) => c.schema === t.schema && c.table === t.name && (c.type === "primary" || c.type === "unique"),
        )
        .map((c) => ({ name: c.name, columns: c.columns, primary: c.type === "primary" })),
      span:
        time && Number.isFinite(from) && Number.isFinite(to)
          ? {
              column: time.column,
              from: new Date(from).toISOString(),
              to: new Date(to).toISOString(),
              days: Math.max(1, (to - from) / 86_400_000),
            }
          : null,
      retention: retention.get(name) ?? null,
      timeMs: tableTime.get(name) ?? 0,
      timeShare: (tableTime.get(name) ?? 0) / total,
    });
  }
  return {
    tables,
    partitioned: snapshot.tables.filter((t) => t.kind === "partitioned").map((t) => `${t.schema}.${t.name}`),
  };
}

/** A tenant column: named like one, or an equality filter on a column with few distinct values against the rows. */
function isTenant(snapshot: Snapshot, table: Snapshot["tables"][number], column: string): boolean {
  const unique = snapshot.indexes.some(
    (i) =>
      i.tableSchema === table.schema &&
      i.table === table.name &&
      i.isUnique &&
      i.columns.length === 1 &&
      i.columns[0] === column,
  );
  if (unique) return false;
  const distinct = distinctOf(snapshot, table, column);
  return TENANT_NAME.test(column) && (distinct === null || distinct >= 2);
}

function distinctOf(snapshot: Snapshot, table: Snapshot["tables"][number], column: string): number | null {
  const s = snapshot.columnStats.find(
    (c) => c.schema === table.schema && c.table === table.name && c.column === column,
  );
  if (!s) return null;
  return Math.round(s.nDistinct < 0 ? -s.nDistinct * table.rowsEstimate : s.nDistinct);
}

/** "interval '90 days'" (or weeks, months, years) in a retention DELETE; null when the interval is a $n. */
function daysIn(query: string): number | null {
  const m = /interval\s+'(\d+)\s*(day|week|month|year)s?'/i.exec(query);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] as string).toLowerCase();
  return unit === "day" ? n : unit === "week" ? 7 * n : unit === "month" ? 30 * n : 365 * n;
}

/** migrate lint on the migration, against the database's own schema and sizes. */
async function lintMigration(db: PostgresConnector, migration: PartitionMigration, snapshot: Snapshot) {
  const dir = mkdtempSync(join(tmpdir(), "dbopt-partition-"));
  try {
    const file = join(dir, "partition.sql");
    writeFileSync(file, `${migration.steps.flatMap((s) => s.statements).join("\n")}\n`);
    const version = Math.floor(snapshot.server.versionNum / 10_000);
    const report = await lintMigrations([file], { pgVersion: Math.min(18, Math.max(13, version)) }, db);
    return {
      errors: report.findings.filter((f) => f.severity === "error").length,
      warnings: report.findings.filter((f) => f.severity === "warning").length,
      findings: report.findings,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads of this table that filter on the key, heaviest first (never a data-modifying WITH: the copy is kept). */
function proofStatements(t: PartitionTableFacts, key: PartitionKeyUse, snapshot: Snapshot) {
  return snapshot.workload.statements
    .filter((s) => {
      const traits = statementTraits(s.query);
      return (
        traits.kind === "read" &&
        traits.tables.some((x) => x === t.table || x === `${t.schema}.${t.table}`) &&
        s.query.includes(key.column)
      );
    })
    .slice(0, 5);
}

/** The snapshot's table a statement names ("schema.table", or "table" found in public first, then anywhere). */
function tableNamed(snapshot: Snapshot, named: string): Array<{ schema: string; name: string }> {
  const regular = snapshot.tables.filter((t) => t.kind === "table" && !t.parent);
  const exact = regular.find((t) => `${t.schema}.${t.name}` === named);
  const bare = regular.filter((t) => t.name === named);
  const found = exact ?? bare.find((t) => t.schema === "public") ?? bare[0];
  return found ? [{ schema: found.schema, name: found.name }] : [];
}

/**
 * How fast rows arrive: the history store's samples a day apart or more, else the rows over the time column's
 * span (the data's age), else n_tup_ins over the statistics' age when that is a day or more. Bytes arriving are
 * the inserts at the table's bytes per row.
 */
function growthOf(
  t: Snapshot["tables"][number],
  stored: StoredGrowth | undefined,
  spanDays: number | null,
  statsAgeSeconds: number | null,
): TableGrowth | null {
  const bytesPerRow = t.rowsEstimate > 0 ? t.totalBytes / t.rowsEstimate : null;
  const arriving = (insertsPerDay: number) => (bytesPerRow === null ? null : insertsPerDay * bytesPerRow);
  if (stored) {
    const inserts = stored.insertsPerDay ?? Math.max(0, stored.rowsPerDay);
    return {
      source: "store",
      insertsPerDay: inserts,
      bytesPerDay: arriving(inserts),
      netRowsPerDay: stored.rowsPerDay,
      netBytesPerDay: stored.bytesPerDay,
      days: stored.days,
      samples: stored.samples,
    };
  }
  const plain = { netRowsPerDay: null, netBytesPerDay: null, samples: null };
  if (spanDays !== null) {
    const inserts = t.rowsEstimate / spanDays;
    return {
      source: "time-span",
      insertsPerDay: inserts,
      bytesPerDay: arriving(inserts),
      days: spanDays,
      ...plain,
    };
  }
  // Less than a day of counters is a load or a burst, not a rate to size partitions by.
  if (t.stats && statsAgeSeconds !== null && statsAgeSeconds >= 86_400) {
    const inserts = (t.stats.nTupIns / statsAgeSeconds) * 86_400;
    return {
      source: "insert-counter",
      insertsPerDay: inserts,
      bytesPerDay: arriving(inserts),
      days: statsAgeSeconds / 86_400,
      ...plain,
    };
  }
  return null;
}

/**
 * Growth from the history store: --store's, else the embedded store when one exists (never created here). The
 * notes say which store was read and what it held; without one the growth comes from the database's counters.
 */
async function storedGrowth(
  db: PostgresConnector,
  snapshot: Snapshot,
  options: AdvisePartitioningOptions,
  notes: string[],
): Promise<Map<string, StoredGrowth>> {
  const none = new Map<string, StoredGrowth>();
  if (options.store === undefined) {
    if (options.noStore) return none;
    const { existsSync } = await import("node:fs");
    const { storeHome } = await import("../store/open-store.js");
    const home = options.storeHome ?? storeHome().home;
    if (!existsSync(join(home, "store", "PG_VERSION"))) {
      notes.push(
        "Growth from the database itself (the time column's span, else n_tup_ins): no history store (dbopt collect, or --store URL).",
      );
      return none;
    }
  }
  const { openExistingStore } = await import("../store/open-existing-store.js");
  const { readStoredGrowth } = await import("../store/read-table-growth.js");
  const { readIdentity } = await import("../store/read-target-sample.js");
  const opened = await openExistingStore({
    url: typeof options.store === "string" ? options.store : undefined,
    home: options.storeHome,
    onProgress: options.onProgress,
  });
  try {
    const tables = snapshot.tables
      .filter((t) => t.kind === "table" && !t.parent)
      .map((t) => ({ schema: t.schema, name: t.name }));
    const read = await readStoredGrowth(opened.store, await readIdentity(db), db.target.display, tables);
    if (!read.target) {
      notes.push(
        `Growth from the database itself (the time column's span, else n_tup_ins): the history store ${opened.description} has no samples of ${db.target.display}.`,
      );
      return none;
    }
    notes.push(
      `Growth from the history store ${opened.description} (${read.target}): ${read.tables.size} table${read.tables.size === 1 ? "" : "s"} with samples a day apart or more${
        read.tooShort.size
          ? `; from the database itself for ${read.tooShort.size} with less (${[...read.tooShort]
              .slice(0, 3)
              .map(([name, why]) => `${name}: ${why}`)
              .join("; ")})`
          : ""
      }.`,
    );
    return read.tables;
  } finally {
    await opened.close();
  }
}

/**
 * On the sandbox: time the statements, run the migration, time them again (same text: the partitioned table now
 * has the old name) and count the partitions each plan reads; then swap back and drop what was built.
 */
async function proveOnSandbox(
  db: PostgresConnector,
  t: PartitionTableFacts,
  migration: PartitionMigration,
  statements: Snapshot["workload"]["statements"],
  /** Statements that cannot be timed (no parameters to draw, or they fail there) are listed here. */
  skipped?: string[],
  signal?: AbortSignal,
): Promise<{ proof: PartitionProof[]; migrationMs: number }> {
  const runs: Array<{ sql: string; before: number }> = [];
  await db.allowWrites();
  for (const s of statements) {
    // A range's bounds are drawn together, as wide as the statement's own requests when that is known.
    const draws = await drawParameters(db, s.query, {
      sets: 1,
      seed: 11,
      correlatedRanges: { rowShare: observedRowShare(s, t.rows) },
    });
    const set = draws.sets[0];
    for (const r of draws.ranges ?? [])
      skipped?.push(
        `${oneLine(s.query, 80)}: $${r.lower} and $${r.upper} drawn as one range over ${r.column.split(".").pop()} holding ${(r.share * 100).toPrecision(2)}% of the rows (${r.from === "given" ? "the rows the statement returns per call" : "one pg_stats histogram bucket"})`,
      );
    if (draws.parameters > 0 && !set) {
      skipped?.push(
        `not timed: ${oneLine(s.query, 80)} (its parameters could not be drawn: ${draws.unresolved.map((u) => `$${u.n} ${u.reason}`).join("; ") || "no value set"})`,
      );
      continue;
    }
    const sql = set ? String(inlineSet(s.query, set)) : s.query;
    try {
      runs.push({ sql, before: await medianMs(db, sql) });
    } catch (error) {
      // On a sampled copy a statement may name what was not copied (a view, a function, a partitioned table).
      if (!skipped) throw error;
      skipped.push(`not timed: ${oneLine(s.query, 80)} (${(error as Error).message})`);
    }
  }
  const parent = String(qname(t.schema, t.table));
  // putBack undoes only what this run did: the names it builds under must be free before it starts, and the
  // original table is known by its OID, never by the name it has at the end.
  for (const name of [migration.newName, migration.oldName])
    if ((await oidOf(db, t.schema, name)) !== null)
      throw new InputError(
        `the sandbox already has ${t.schema}.${name}, the name dbopt builds the partitioned layout under`,
        "rename or drop it on the sandbox and run again",
      );
  const original = await oidOf(db, t.schema, t.table);
  if (original === null)
    throw new InputError(`the sandbox has no table ${t.schema}.${t.table}`, "give --db the copy that has it");
  let result: { proof: PartitionProof[]; migrationMs: number };
  const stopIfAsked = () => {
    if (signal?.aborted) throw new Error(`interrupted (${String(signal.reason ?? "signal")})`);
  };
  // The statement running when the signal comes is cancelled; the catch below puts the sandbox back.
  const cancelRunning = () => void db.cancel().catch(() => {});
  signal?.addEventListener("abort", cancelRunning, { once: true });
  try {
    stopIfAsked();
    const started = performance.now();
    for (const step of migration.steps)
      for (const statement of step.statements) {
        stopIfAsked();
        await db.query(statement);
      }
    const migrationMs = performance.now() - started;
    // Timed as the planner will see the new table once analysed: the migration filled it with INSERT ... SELECT,
    // which leaves no statistics, and autovacuum never analyses a partitioned parent.
    stopIfAsked();
    await db.query(String(sql`ANALYZE ${qname(t.schema, t.table)}`));
    const proofs: PartitionProof[] = [];
    const children = await db.query<{ name: string }>(
      "select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = $1::regclass",
      [parent],
    );
    const partitionNames = new Set(children.map((c) => c.name));
    const n = partitionNames.size;
    for (const r of runs) {
      stopIfAsked();
      const after = await medianMs(db, r.sql);
      const plan = await db.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) ${r.sql}`);
      const text = JSON.stringify(plan[0]?.["QUERY PLAN"]);
      // Only the partitions count, not the tables the statement joins.
      const read = new Set(
        [...text.matchAll(/"Relation Name":"((?:[^"\\]|\\.)*)"/g)]
          .map((m) => JSON.parse(`"${m[1]}"`) as string)
          .filter((name) => partitionNames.has(name)),
      ).size;
      proofs.push({
        statement: r.sql,
        beforeMs: r.before,
        afterMs: after,
        partitionsRead: read,
        partitions: n,
      });
    }
    result = { proof: proofs, migrationMs };
  } catch (error) {
    signal?.removeEventListener("abort", cancelRunning);
    // The error that stopped the proof is the one to report; say when the sandbox was left half put back.
    let undone: string | null = null;
    await putBack(db, t, migration, original).catch((undo: Error) => {
      undone = undo.message;
    });
    if (signal?.aborted)
      throw new DbError({
        code: "interrupted",
        message: `interrupted (${String(signal.reason ?? "signal")}) while proving the layout of ${t.schema}.${t.table} on the sandbox: ${undone === null ? "the sandbox was put back as it was" : `the sandbox could not be put back (${undone})`}`,
        hint: "run dbopt advise partitioning again when you have the time",
      });
    if (undone !== null && error instanceof Error)
      error.message += ` (and the sandbox could not be put back: ${undone})`;
    throw error;
  }
  signal?.removeEventListener("abort", cancelRunning);
  await putBack(db, t, migration, original);
  return result;
}

/**
 * The share of the table's rows one call of a statement reads, when pg_stat_statements shows it: rows returned per
 * call over the table's rows, for a statement that returns rows as it finds them (one query block, no GROUP BY,
 * HAVING, DISTINCT or LIMIT, more than one row a call: an aggregate returns one). Null otherwise: the range is then one histogram
 * bucket wide.
 */
function observedRowShare(s: Snapshot["workload"]["statements"][number], tableRows: number): number | null {
  const shape = queryShape(s.query, () => null);
  const block = shape?.blocks.length === 1 ? shape.blocks[0] : undefined;
  if (!block || block.hasLimit || s.calls <= 0 || tableRows <= 0) return null;
  // GROUP BY 1 names no column the shape keeps: the keywords are read off the lexer's tokens.
  const grouped = scanSql(s.query).tokens.some(
    (t) => t.tokenName !== "IDENT" && /^(group|having|distinct)$/i.test(t.text),
  );
  if (grouped) return null;
  const perCall = s.rows / s.calls;
  if (perCall <= 1) return null;
  return Math.min(0.5, Math.max(0.0001, perCall / tableRows));
}

/** The OID of schema.name, or null when no relation has that name. */
async function oidOf(db: PostgresConnector, schema: string, name: string): Promise<string | null> {
  const rows = await db.query<{ oid: string | null }>("select to_regclass($1)::oid::text as oid", [
    String(schemaQualified(schema, name)),
  ]);
  return rows[0]?.oid ?? null;
}

/**
 * The sequences the table's column defaults read (pg_depend from the default to the sequence), qualified, and
 * whether the column owns each (deptype 'a'): a shared or free-standing sequence's ownership is not the table's to
 * hand over.
 */
async function sequenceDefaults(
  db: PostgresConnector,
  t: PartitionTableFacts,
): Promise<Array<{ column: string; sequence: string; owned: boolean }>> {
  return db.query(
    `select a.attname as "column", quote_ident(n.nspname) || '.' || quote_ident(s.relname) as sequence,
            exists (select 1 from pg_depend o
                     where o.classid = 'pg_class'::regclass and o.objid = s.oid
                       and o.refclassid = 'pg_class'::regclass and o.refobjid = a.attrelid
                       and o.refobjsubid = a.attnum and o.deptype = 'a') as owned
       from pg_attrdef ad
       join pg_attribute a on a.attrelid = ad.adrelid and a.attnum = ad.adnum
       join pg_depend d on d.classid = 'pg_attrdef'::regclass and d.objid = ad.oid
                       and d.refclassid = 'pg_class'::regclass
       join pg_class s on s.oid = d.refobjid and s.relkind = 'S'
       join pg_namespace n on n.oid = s.relnamespace
      where ad.adrelid = $1::regclass`,
    [String(schemaQualified(t.schema, t.table))],
  );
}

/**
 * Objects of other relations that read the table by OID (pg_depend): views, materialized views, rules, SQL-standard
 * function bodies, policies. Views come with their query printed under an empty search_path, so every name in it is
 * qualified and the swap's CREATE OR REPLACE VIEW means the same tables whatever the user's search_path.
 */
async function dependentObjects(db: PostgresConnector, t: PartitionTableFacts): Promise<DependentObject[]> {
  const table = String(schemaQualified(t.schema, t.table));
  return db.inReadOnlySnapshot(async () => {
    await db.query("SET LOCAL search_path = pg_catalog");
    return db.query<DependentObject>(
      `select distinct kind, name, definition, options from (
         select case when c.relkind = 'v' and r.rulename = '_RETURN' then 'view'
                     when c.relkind = 'm' and r.rulename = '_RETURN' then 'materialized view'
                     else 'rule' end as kind,
                case when c.relkind in ('v', 'm') and r.rulename = '_RETURN'
                     then quote_ident(n.nspname) || '.' || quote_ident(c.relname)
                     else quote_ident(r.rulename) || ' on ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname)
                end as name,
                case when c.relkind = 'v' and r.rulename = '_RETURN' then pg_get_viewdef(c.oid) end as definition,
                case when c.relkind = 'v' then coalesce(c.reloptions, '{}') else '{}' end as options
           from pg_depend d
           join pg_rewrite r on r.oid = d.objid
           join pg_class c on c.oid = r.ev_class
           join pg_namespace n on n.oid = c.relnamespace
          where d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_class'::regclass
            and d.refobjid = $1::regclass and r.ev_class <> $1::regclass
         union all
         select 'function', p.oid::regprocedure::text, null, '{}'
           from pg_depend d join pg_proc p on p.oid = d.objid
          where d.classid = 'pg_proc'::regclass and d.refclassid = 'pg_class'::regclass
            and d.refobjid = $1::regclass
         union all
         select 'policy', quote_ident(pol.polname) || ' on ' || pol.polrelid::regclass::text, null, '{}'
           from pg_depend d join pg_policy pol on pol.oid = d.objid
          where d.classid = 'pg_policy'::regclass and d.refclassid = 'pg_class'::regclass
            and d.refobjid = $1::regclass and pol.polrelid <> $1::regclass
       ) x order by kind, name`,
      [table],
    );
  });
}

/** Every relation name the snapshot knows in a schema (tables, indexes), which new names must not take. */
function relationNames(snapshot: Snapshot, schema: string): string[] {
  return [
    ...snapshot.tables.filter((x) => x.schema === schema).map((x) => x.name),
    ...snapshot.indexes.filter((i) => i.tableSchema === schema).map((i) => i.name),
  ];
}

/**
 * Undo the migration on the sandbox: the old table back under its name, the partitioned one dropped. Only what this
 * run built is touched: the names it built under were free when it started, and the original table is recognised by
 * its OID, so a table of the user's is never dropped.
 */
async function putBack(
  db: PostgresConnector,
  t: PartitionTableFacts,
  migration: PartitionMigration,
  original: string,
): Promise<void> {
  await db.query("ROLLBACK").catch(() => {});
  if ((await oidOf(db, t.schema, migration.oldName)) === original) {
    // The swap happened: the old table is under oldName and the partitioned one holds the table's name.
    // The swap handed the serial sequences it owned to the partitioned table: give them back before dropping it.
    for (const s of migration.sequences.filter((x) => x.sequence !== null && x.owned))
      await db.query(
        sql`ALTER SEQUENCE ${sqlFrom("server", s.sequence as string)} OWNED BY ${schemaQualified(t.schema, migration.oldName)}.${ident(s.column)}`,
      );
    // The partitioned table goes back to the name it was built under, the original to its own name, and the views
    // the swap replaced are replaced again, so they read the original before the partitioned table is dropped.
    const current = await oidOf(db, t.schema, t.table);
    if (current !== null && current !== original)
      await db.query(
        sql`ALTER TABLE ${schemaQualified(t.schema, t.table)} RENAME TO ${ident(migration.newName)}`,
      );
    await db.query(
      sql`ALTER TABLE ${schemaQualified(t.schema, migration.oldName)} RENAME TO ${ident(t.table)}`,
    );
    for (const view of migration.views) await db.query(view);
  }
  const built = await oidOf(db, t.schema, migration.newName);
  if (built !== null && built !== original)
    await db.query(sql`DROP TABLE ${schemaQualified(t.schema, migration.newName)}`);
}

/**
 * Through EXPLAIN ANALYZE (measure-statement.ts): run bare, the statement with the user's values inlined has the
 * user's statement's queryid, so its runs were added to the user's pg_stat_statements entry (under the user's
 * untagged text) and the next run of dbopt counted them as the workload.
 */
async function medianMs(db: PostgresConnector, sql: string): Promise<number> {
  const [timing] = await measureStatements(db, [sql], { runs: 5, warmUp: 1 });
  return timing?.medianMs ?? 0;
}
