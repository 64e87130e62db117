/**
 * What-if through HypoPG: hypothetical indexes exist only in this session's planner. The session keeps the set
 * it last asked about and changes it by difference, so asking about "chosen + one more" creates one index.
 */
import { DbError } from "../../connectors/db-error.js";
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { Snapshot } from "../../facts/snapshot.js";
import { quoteIdent } from "../../util/sql-identifiers.js";
import { planForCost } from "./explain-cost.js";
import { candidateDdl, type IndexCandidate } from "./index-candidate.js";
import { estimateBrinSize, estimateBtreeSize } from "./size-estimate.js";
import { CostCache, type QueryCost, type WhatIf } from "./what-if.js";
import type { WorkloadQuery } from "./workload-query.js";

export class HypoPgWhatIf implements WhatIf {
  readonly kind = "hypopg" as const;
  private readonly active = new Map<string, { oid: number; name: string }>();
  private readonly costs = new CostCache();

  get calls(): number {
    return this.costs.calls;
  }

  get cacheHits(): number {
    return this.costs.exactHits + this.costs.derivedHits;
  }
  private readonly sizes = new Map<string, number>();

  private constructor(
    private readonly db: PostgresConnector,
    private readonly schema: string,
    private readonly major: number,
    private readonly snapshot: Snapshot | null,
  ) {}

  /**
   * With the snapshot, B-tree and BRIN sizes are dbopt's estimates (size-estimate.ts): HypoPG overstates B-trees
   * on repeated keys (no deduplication) and a BRIN on a partitioned table by thousands of times; hash keeps HypoPG's.
   */
  static async open(db: PostgresConnector, snapshot: Snapshot | null = null): Promise<HypoPgWhatIf> {
    const caps = await db.capabilities();
    if (!caps.hypopg.installedVersion) {
      throw new DbError({
        code: "extension-missing",
        message: caps.hypopg.available
          ? "HypoPG is not installed in this database"
          : "this server does not have the HypoPG extension",
        hint: caps.hypopg.available
          ? "run CREATE EXTENSION hypopg; (it only adds functions; hypothetical indexes live in one session), or use --sandbox on a copy"
          : "install it (Debian/Ubuntu: apt install postgresql-NN-hypopg; it is available on Azure, Google Cloud SQL, Aiven and Supabase, not on Amazon RDS) and CREATE EXTENSION hypopg;, or use --sandbox on a copy",
      });
    }
    const session = new HypoPgWhatIf(db, quoteIdent(caps.hypopg.schema ?? "public"), caps.major, snapshot);
    await db.query(`select ${session.schema}.hypopg_reset()`);
    return session;
  }

  cost(query: WorkloadQuery, config: IndexCandidate[]): Promise<QueryCost> {
    return this.costs.cost(
      query,
      config,
      async (relevant) => {
        await this.show(relevant);
        return planForCost(this.db, query, this.major);
      },
      (key) => this.active.get(key)?.name,
    );
  }

  async size(candidate: IndexCandidate): Promise<number> {
    const known = this.sizes.get(candidate.key);
    if (known !== undefined) return known;
    // An expression the sample cannot evaluate leaves HypoPG's figure; a lost connection still ends the run.
    const brin = this.snapshot ? estimateBrinSize(candidate, this.snapshot) : null;
    const estimate =
      brin !== null
        ? brin
        : this.snapshot
          ? await estimateBtreeSize(this.db, candidate, this.snapshot).catch((error: unknown) => {
              if (error instanceof DbError && error.isConnectionError) throw error;
              return null;
            })
          : null;
    if (estimate !== null) {
      this.sizes.set(candidate.key, estimate);
      return estimate;
    }
    const hypo = await this.create(candidate);
    const [row] = await this.db.query<{ size: number }>(
      `select ${this.schema}.hypopg_relation_size($1)::float8 as size`,
      [hypo.oid],
    );
    const size = Number(row?.size ?? 0);
    this.sizes.set(candidate.key, size);
    return size;
  }

  async close(): Promise<void> {
    await this.db.query(`select ${this.schema}.hypopg_reset()`).catch(() => {});
    this.active.clear();
  }

  /** Make exactly `config` visible to the planner (for the tables it covers). */
  private async show(config: IndexCandidate[]): Promise<void> {
    const wanted = new Set(config.map((c) => c.key));
    for (const [key, hypo] of this.active) {
      if (!wanted.has(key)) {
        await this.db.query(`select ${this.schema}.hypopg_drop_index($1)`, [hypo.oid]);
        this.active.delete(key);
      }
    }
    for (const c of config) if (!this.active.has(c.key)) await this.create(c);
  }

  private async create(c: IndexCandidate): Promise<{ oid: number; name: string }> {
    const existing = this.active.get(c.key);
    if (existing) return existing;
    const [row] = await this.db.query<{ indexrelid: number; indexname: string }>(
      `select indexrelid, indexname from ${this.schema}.hypopg_create_index($1)`,
      [candidateDdl(c, false)],
    );
    const hypo = { oid: Number(row?.indexrelid), name: String(row?.indexname) };
    this.active.set(c.key, hypo);
    return hypo;
  }
}
