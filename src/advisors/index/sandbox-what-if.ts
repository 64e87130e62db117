/**
 * What-if by building the indexes for real, on a database the user marked as a sandbox (or the embedded demo).
 * Each candidate is built once; to ask about a set, the others are dropped inside a transaction that is rolled
 * back, which costs a catalog change, not a rebuild. Works for every index kind, GIN and GiST included. An
 * extension a candidate's operator class needs (pg_trgm) is installed when the server has it, and removed again at
 * the end if this session installed it.
 */
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { planOf } from "../../facts/plan/explain-runner.js";
import { qualifiedName, quoteIdent } from "../../util/sql-identifiers.js";
import { planForCost } from "./explain-cost.js";
import { candidateDdl, type IndexCandidate } from "./index-candidate.js";
import { CostCache, type QueryCost, relevantConfig, type WhatIf } from "./what-if.js";
import type { WorkloadQuery } from "./workload-query.js";

const MEASURE_RUNS = 3;

export class SandboxWhatIf implements WhatIf {
  readonly kind = "sandbox" as const;
  private readonly built = new Map<string, { name: string; schema: string; size: number; names: string[] }>();
  private readonly costs = new CostCache();

  get calls(): number {
    return this.costs.calls;
  }

  get cacheHits(): number {
    return this.costs.exactHits + this.costs.derivedHits;
  }
  private counter = 0;
  /** Extensions this session installed, to remove at close. */
  private readonly installed: string[] = [];
  private readonly checked = new Set<string>();

  private constructor(
    private readonly db: PostgresConnector,
    private readonly major: number,
  ) {}

  static async open(db: PostgresConnector): Promise<SandboxWhatIf> {
    await db.allowWrites();
    await db.query("SET maintenance_work_mem = '256MB'");
    return new SandboxWhatIf(db, (await db.capabilities()).major);
  }

  cost(query: WorkloadQuery, config: IndexCandidate[]): Promise<QueryCost> {
    return this.costs.cost(
      query,
      config,
      (relevant) => this.withOnly(relevant, () => planForCost(this.db, query, this.major)),
      (key) => this.built.get(key)?.names,
    );
  }

  /** Median execution time of EXPLAIN ANALYZE over three runs, with only `config`'s indexes of the candidates. */
  async measure(query: WorkloadQuery, config: IndexCandidate[]): Promise<number> {
    const times: number[] = [];
    for (let run = 0; run < MEASURE_RUNS; run++) {
      const plan = await this.withOnly(relevantConfig(query, config), async () => {
        const [row] = await this.db.query<{ "QUERY PLAN": unknown }>(
          `EXPLAIN (ANALYZE, FORMAT JSON) ${query.text}`,
        );
        return planOf(row);
      });
      times.push(plan.executionMs ?? 0);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(MEASURE_RUNS / 2)] ?? 0;
  }

  /** Build the wanted candidates, then run `work` with every other built one dropped, in a rolled-back transaction. */
  private async withOnly<T>(relevant: IndexCandidate[], work: () => Promise<T>): Promise<T> {
    for (const c of relevant) await this.build(c);
    const wanted = new Set(relevant.map((c) => c.key));
    const hide = [...this.built.entries()]
      .filter(([k]) => !wanted.has(k))
      .map(([, b]) => qualifiedName(b.schema, b.name));
    return this.db.inRolledBackTransaction(async () => {
      if (hide.length) await this.db.query(`DROP INDEX ${hide.join(", ")}`);
      return work();
    });
  }

  async size(candidate: IndexCandidate): Promise<number> {
    return (await this.build(candidate)).size;
  }

  async close(): Promise<void> {
    for (const b of this.built.values())
      await this.db.query(`DROP INDEX IF EXISTS ${qualifiedName(b.schema, b.name)}`).catch(() => {});
    this.built.clear();
    // RESTRICT: an index someone else built with the extension in the meantime keeps it.
    for (const e of this.installed.splice(0))
      await this.db.query(`DROP EXTENSION IF EXISTS ${quoteIdent(e)} RESTRICT`).catch(() => {});
  }

  private async build(
    c: IndexCandidate,
  ): Promise<{ name: string; schema: string; size: number; names: string[] }> {
    const known = this.built.get(c.key);
    if (known) return known;
    if (c.requires) await this.ensureExtension(c.requires);
    const name = `dbopt_whatif_${++this.counter}`;
    const ddl = candidateDdl(c, false, name);
    await this.db.query(ddl);
    // On a partitioned table the index is a tree: its size is its partitions' indexes', and plans name those.
    const rows = await this.db.query<{ size: number; name: string }>(
      // pg_partition_tree has no rows for an index of a plain table: the index itself is then the whole tree.
      `select pg_relation_size(c.oid)::float8 as size, c.relname as name from pg_class c
        where c.oid = $1::regclass or c.oid in (select relid from pg_partition_tree($1::regclass))`,
      [qualifiedName(c.schema, name)],
    );
    const size = rows.reduce((n, r) => n + Number(r.size), 0);
    const entry = { name, schema: c.schema, size, names: rows.map((r) => String(r.name)) };
    this.built.set(c.key, entry);
    return entry;
  }

  private async ensureExtension(extension: string): Promise<void> {
    if (this.checked.has(extension)) return;
    this.checked.add(extension);
    const [row] = await this.db.query<{ installed: boolean }>(
      "select exists (select 1 from pg_extension where extname = $1) as installed",
      [extension],
    );
    if (row?.installed) return;
    await this.db.query(`CREATE EXTENSION ${quoteIdent(extension)}`);
    this.installed.push(extension);
  }
}
