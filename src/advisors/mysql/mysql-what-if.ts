/**
 * What-if on a MySQL/MariaDB sandbox, with real indexes: stock MySQL has no hypothetical indexes. Candidates are
 * built once (ALTER TABLE ... ADD INDEX, ALGORITHM=INPLACE, LOCK=NONE) and switched on and off without
 * rebuilding (MariaDB 10.6+ IGNORED, MySQL 8 INVISIBLE), and so are the table's own indexes, to see what
 * dropping one would do. A statement is costed by the optimizer (EXPLAIN FORMAT=JSON's query_cost on MySQL,
 * Last_query_cost after EXPLAIN on MariaDB, whose JSON has no cost) and timed by running it (a data change in a
 * transaction that is rolled back).
 */
import type { MysqlSandbox } from "../../connectors/mysql/mysql-sandbox.js";
import { mysqlStatementKind } from "../../facts/collect-mysql/mysql-statement-kind.js";
import { readMysqlPlan } from "../../facts/plan/mysql-plan-input.js";
import type { Plan } from "../../facts/plan/plan-model.js";
import { checkMysqlSql } from "../../util/mysql-sql-check.js";
import { list, mysqlIdent, mysqlQname, type SqlText, sql } from "../../util/sql-text.js";

export interface MysqlIndexKey {
  table: string;
  columns: string[];
}

export class MysqlWhatIf {
  calls = 0;
  cacheHits = 0;
  private readonly costs = new Map<string, { cost: number; plan: Plan }>();
  /** Index names dbopt built, by table, to drop at the end. */
  readonly built: Array<{ table: string; name: string }> = [];
  /** Existing indexes dbopt switched off, to switch on again at the end. */
  private readonly hidden = new Map<string, { table: string; name: string }>();
  /** The visibility state, part of every cache key. */
  private readonly off = new Set<string>();

  constructor(
    readonly sandbox: MysqlSandbox,
    private readonly ddlTimeLimitMs: number,
  ) {}

  /** Build a candidate for real; its name says dbopt made it. */
  async build(key: MysqlIndexKey, name: string): Promise<void> {
    const ddl = checkMysqlSql(
      sql`ALTER TABLE ${mysqlQname(this.sandbox.database, key.table)} ADD INDEX ${mysqlIdent(name)} (${list(key.columns.map(mysqlIdent))}), ALGORITHM=INPLACE, LOCK=NONE`,
      1,
    );
    await this.sandbox.execute(ddl, { timeLimitMs: this.ddlTimeLimitMs });
    this.built.push({ table: key.table, name });
  }

  /** Switch an index on or off for the optimizer (IGNORED / INVISIBLE); no rebuild. */
  async setVisible(table: string, name: string, visible: boolean): Promise<void> {
    const id = `${table}\u0000${name}`;
    if (visible === !this.off.has(id)) return;
    const statement = await this.sandbox.indexVisibilitySql(table, name, visible);
    if (!statement) throw new Error("this server cannot switch indexes off (MariaDB 10.6+ or MySQL 8 can)");
    await this.sandbox.execute(statement, { timeLimitMs: this.ddlTimeLimitMs });
    if (visible) this.off.delete(id);
    else this.off.add(id);
    if (!this.built.some((b) => b.table === table && b.name === name)) {
      if (visible) this.hidden.delete(id);
      else this.hidden.set(id, { table, name });
    }
  }

  /** The optimizer's cost of a statement under the current visibility, and its plan. */
  async cost(statement: string): Promise<{ cost: number; plan: Plan }> {
    // The index set the optimizer sees: what was switched off, and what dbopt built and left on.
    const on = this.built.map((b) => `${b.table}\u0000${b.name}`).filter((id) => !this.off.has(id));
    const key = `${[...this.off].sort().join(",")}\u0001${on.sort().join(",")}\u0001${statement}`;
    const cached = this.costs.get(key);
    if (cached) {
      this.cacheHits++;
      return cached;
    }
    this.calls++;
    const kind = mysqlStatementKind(statement);
    const explain = async () => {
      const [row] = await this.sandbox.query<Record<string, unknown>>(`EXPLAIN FORMAT=JSON ${statement}`);
      const text = String(Object.values(row ?? {})[0] ?? "");
      const [status] = await this.sandbox.query<{ Value: string }>(
        "SHOW SESSION STATUS LIKE 'Last_query_cost'",
      );
      return { text, last: Number(status?.Value ?? 0) };
    };
    const { text, last } = kind.writes ? await this.inRolledBack(explain) : await explain();
    const plan = readMysqlPlan(text);
    if (!plan)
      throw new Error(`EXPLAIN FORMAT=JSON printed no plan dbopt reads for: ${statement.slice(0, 120)}`);
    const jsonCost = Number(/"query_cost"\s*:\s*"?([\d.]+)/.exec(text)?.[1] ?? Number.NaN);
    const cost = Number.isFinite(jsonCost) && jsonCost > 0 ? jsonCost : last;
    const result = { cost, plan };
    this.costs.set(key, result);
    return result;
  }

  /** Median milliseconds of `runs` executions under the current visibility (a data change rolled back each time). */
  async time(statement: string, runs = 3): Promise<number> {
    const kind = mysqlStatementKind(statement);
    const times: number[] = [];
    // The first run after an index was switched on or off reopens the table and fills the buffer pool: not timed.
    for (let i = -1; i < runs; i++) {
      const once = async () => {
        const start = process.hrtime.bigint();
        await this.sandbox.query(statement);
        return Number(process.hrtime.bigint() - start) / 1e6;
      };
      const ms = kind.writes ? await this.inRolledBack(once) : await once();
      if (i >= 0) times.push(ms);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] ?? 0;
  }

  /** Drop one index dbopt built. */
  async drop(table: string, name: string): Promise<void> {
    const at = this.built.findIndex((b) => b.table === table && b.name === name);
    if (at < 0) return;
    await this.sandbox.execute(
      sql`ALTER TABLE ${mysqlQname(this.sandbox.database, table)} DROP INDEX ${mysqlIdent(name)}`,
      { timeLimitMs: this.ddlTimeLimitMs },
    );
    this.built.splice(at, 1);
    this.off.delete(`${table}\u0000${name}`);
  }

  /** Switch back on what dbopt switched off, and drop what it built (on a sandbox the user keeps). */
  async cleanUp(): Promise<string[]> {
    const problems: string[] = [];
    for (const { table, name } of [...this.hidden.values()]) {
      await this.setVisible(table, name, true).catch((e: unknown) =>
        problems.push(`${table}.${name}: ${String(e)}`),
      );
    }
    for (const { table, name } of this.built.splice(0)) {
      const drop: SqlText = sql`ALTER TABLE ${mysqlQname(this.sandbox.database, table)} DROP INDEX ${mysqlIdent(name)}`;
      await this.sandbox
        .execute(drop, { timeLimitMs: this.ddlTimeLimitMs })
        .catch((e: unknown) => problems.push(`${table}.${name}: ${String(e)}`));
    }
    return problems;
  }

  private async inRolledBack<T>(work: () => Promise<T>): Promise<T> {
    await this.sandbox.query("START TRANSACTION");
    try {
      return await work();
    } finally {
      await this.sandbox.query("ROLLBACK").catch(() => {});
    }
  }
}
