/**
 * `dbopt tune --db mysql://...`: MySQLTuner's well-known formulas, each adjusted by what the server's status
 * counters show and returned with that evidence, as the same TuneReport the PostgreSQL tune returns.
 */

import type { TuneMachine } from "../advisors/settings/pgtune-baseline.js";
import type { SettingRecommendation, TuneReport } from "../advisors/settings/settings-advisor.js";
import type { MysqlConnector } from "../connectors/mysql/mysql-connector.js";
import { collectMysqlFacts } from "../facts/collect-mysql/collect-mysql-facts.js";
import { innodbBytesForPool, type MysqlFacts, numberOf } from "../facts/collect-mysql/mysql-facts.js";
import { memoryFigures } from "../rules/mysql/memory-over-ram.js";
import { formatBytes } from "../rules/mysql/mysql-rule-facts.js";
import { comment, lines, mysqlIdent, type SqlText, sql } from "../util/sql-text.js";

const MB = 1024 ** 2;

export async function tuneMysqlDatabase(db: MysqlConnector, machine: TuneMachine): Promise<TuneReport> {
  return tuneMysqlFacts(await collectMysqlFacts(db), machine, db.target.display);
}

export function tuneMysqlFacts(facts: MysqlFacts, machine: TuneMachine, target: string): TuneReport {
  const v = facts.variables;
  const s = facts.status;
  const ram = machine.ramBytes;
  const recommendations: SettingRecommendation[] = [];
  const add = (
    name: string,
    bytesOrCount: number,
    restart: boolean,
    reason: string,
    evidence: SettingRecommendation["evidence"],
  ) => {
    const current = numberOf(v, name);
    recommendations.push({
      name,
      current: name in v ? String(v[name]) : null,
      recommended: String(Math.round(bytesOrCount)),
      changed: Math.round(bytesOrCount) !== current,
      restart,
      reason,
      evidence,
    });
  };

  // Buffer pool: the InnoDB data and indexes with room to grow, at most 75% of the RAM (MySQLTuner's cap).
  const { bytes: innodbBytes, scope } = innodbBytesForPool(facts);
  const chunk = Math.max(numberOf(v, "innodb_buffer_pool_chunk_size"), 128 * MB);
  const pool = Math.max(chunk, Math.ceil(Math.min(innodbBytes * 1.25, ram * 0.75) / chunk) * chunk);
  const requests = numberOf(s, "innodb_buffer_pool_read_requests");
  const hit = requests > 0 ? 1 - numberOf(s, "innodb_buffer_pool_reads") / requests : null;
  add(
    "innodb_buffer_pool_size",
    pool,
    false,
    innodbBytes * 1.25 < ram * 0.75
      ? `InnoDB data and indexes of ${scope === "server" ? "every database on the server" : facts.server.database} (${formatBytes(innodbBytes)}) with 25% to grow, in ${formatBytes(chunk)} chunks`
      : "75% of the RAM: the InnoDB data is larger than the memory",
    { innodbDataBytes: innodbBytes, ramBytes: ram, hitRatio: hit === null ? null : Number(hit.toFixed(4)) },
  );

  // Redo log: a quarter of the buffer pool (MySQLTuner), so checkpoints are not forced by a full log.
  const redoName =
    facts.server.flavour === "mysql" && "innodb_redo_log_capacity" in v
      ? "innodb_redo_log_capacity"
      : "innodb_log_file_size";
  const [major = 0, minor = 0] = facts.server.version.split(".").map(Number);
  const redoDynamic =
    facts.server.flavour === "mariadb"
      ? major > 10 || (major === 10 && minor >= 9)
      : redoName === "innodb_redo_log_capacity";
  // Never smaller than it is: a larger redo log costs only disk and recovery time.
  const redoNow = numberOf(v, redoName);
  const redo = Math.max(Math.round(pool / 4 / MB) * MB, 48 * MB, redoNow);
  add(
    redoName,
    redo,
    !redoDynamic,
    redo === redoNow ? "a quarter of the buffer pool or more already" : "a quarter of the buffer pool",
    {
      bufferPoolBytes: pool,
      innodbOsLogWrittenBytes: numberOf(s, "innodb_os_log_written"),
      uptimeSeconds: facts.server.uptimeSeconds,
    },
  );

  // Temporary tables: both limits equal (the smaller one rules); doubled when many go to disk.
  const disk = numberOf(s, "created_tmp_disk_tables");
  const tmpAll = numberOf(s, "created_tmp_tables");
  const limit = Math.min(numberOf(v, "tmp_table_size"), numberOf(v, "max_heap_table_size"));
  const tmp = tmpAll > 0 && disk / tmpAll > 0.25 ? Math.min(limit * 2, 256 * MB) : limit;
  const tmpReason =
    tmp > limit
      ? `${((disk / tmpAll) * 100).toFixed(0)}% of temporary tables went to disk: doubled, both equal (the smaller rules)`
      : "both equal: the smaller of the two is the limit";
  const tmpEvidence = { createdTmpDiskTables: disk, createdTmpTables: tmpAll };
  add("tmp_table_size", tmp, false, tmpReason, tmpEvidence);
  add("max_heap_table_size", tmp, false, tmpReason, tmpEvidence);

  // Connections: what the server needed at its peak with a margin, within the RAM the buffers leave.
  const m = memoryFigures(v);
  const used = numberOf(s, "max_used_connections");
  const wanted = machine.connections ?? Math.max(numberOf(v, "max_connections"), Math.ceil(used * 1.25));
  const globalAfter = m.global - numberOf(v, "innodb_buffer_pool_size") + pool;
  const fits = Math.floor((ram * 0.9 - globalAfter) / Math.max(m.perThread + tmp, 1));
  const connections = Math.max(10, Math.min(wanted, fits));
  add(
    "max_connections",
    connections,
    false,
    connections < wanted
      ? `global buffers ${formatBytes(globalAfter)} + ${formatBytes(m.perThread + tmp)} per connection fit ${fits} connections in 90% of the RAM`
      : `the peak of ${used} connections with room to spare; buffers × connections fit the RAM`,
    {
      maxUsedConnections: used,
      perThreadBytes: m.perThread + tmp,
      globalBuffersBytes: globalAfter,
      ramBytes: ram,
    },
  );

  // Table cache: every table opened since the start with room (MySQLTuner warns when Opened_tables keeps rising).
  const opened = numberOf(s, "opened_tables");
  const openNow = numberOf(s, "open_tables");
  const cache = numberOf(v, "table_open_cache");
  const tableCache = openNow >= cache * 0.95 && opened > cache ? Math.min(cache * 2, 16_384) : cache;
  add(
    "table_open_cache",
    tableCache,
    false,
    tableCache > cache
      ? `the cache is full (${openNow} open) and ${opened} tables were opened since the start`
      : "large enough for the tables opened",
    { openTables: openNow, openedTables: opened, uptimeSeconds: facts.server.uptimeSeconds },
  );

  const notes = [...facts.notes];
  if (recommendations.some((r) => r.restart))
    notes.push(`${redoName} needs a restart on ${facts.server.versionText}: set it in the config file`);
  return { kind: "tune", target, machine, recommendations, notes };
}

/** SET PERSIST (MySQL 8) or SET GLOBAL (MariaDB, then the config file) lines for the changed settings. */
export function mysqlTuneScript(report: TuneReport, flavour: "mysql" | "mariadb"): SqlText {
  const changes = report.recommendations.filter((r) => r.changed);
  if (changes.length === 0) return comment("nothing to change");
  const verb = flavour === "mysql" ? sql`SET PERSIST` : sql`SET GLOBAL`;
  return lines([
    ...changes.map((r) =>
      r.restart
        ? comment(`${r.name} = ${r.recommended} in the [mysqld] section of the config file, then restart`)
        : sql`${verb} ${mysqlIdent(r.name)} = ${Number(r.recommended)};`,
    ),
    flavour === "mariadb"
      ? comment("SET GLOBAL lasts until a restart: put the same values in the [mysqld] section")
      : null,
  ]);
}
