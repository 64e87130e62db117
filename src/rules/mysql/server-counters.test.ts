import { describe, expect, it } from "vitest";
import { mysqlFacts, table } from "../../../test/support/mysql-facts-builder.js";
import { checkMysqlSql } from "../../util/mysql-sql-check.js";
import { defaultOptions } from "../rule.js";
import { mysqlBufferPool } from "./buffer-pool.js";
import { mysqlConnectionUsage } from "./connection-usage.js";
import { mysqlMemoryOverRam } from "./memory-over-ram.js";
import { mysqlSlowLogSettings } from "./slow-log-settings.js";
import { mysqlSortMergePasses } from "./sort-merge-passes.js";
import { mysqlTmpDiskTables } from "./tmp-disk-tables.js";

const MB = 1024 ** 2;
const run = (
  // biome-ignore lint/suspicious/noExplicitAny: each rule's own options
  rule: any,
  status: Record<string, string>,
  variables: Record<string, string>,
  ramBytes?: number,
) =>
  rule.check(
    {
      mysql: mysqlFacts({ status, variables, tables: [table("t", { dataBytes: 900 * MB })] }),
      ...(ramBytes ? { machine: { ramBytes } } : {}),
    },
    defaultOptions(rule),
  );

describe("MySQL server counter checks", () => {
  it("temp tables on disk: both limits raised together", () => {
    const v = { tmp_table_size: String(16 * MB), max_heap_table_size: String(32 * MB) };
    expect(run(mysqlTmpDiskTables, { created_tmp_disk_tables: "50", created_tmp_tables: "1000" }, v)).toEqual(
      [],
    );
    const [f] = run(mysqlTmpDiskTables, { created_tmp_disk_tables: "500", created_tmp_tables: "1000" }, v);
    expect(checkMysqlSql(String(f.fix.sql), 2)).toBe(
      `SET GLOBAL tmp_table_size = ${64 * MB}; SET GLOBAL max_heap_table_size = ${64 * MB}`,
    );
  });

  it("sort merge passes per sort", () => {
    expect(
      run(
        mysqlSortMergePasses,
        { sort_merge_passes: "5000", sort_scan: "100" },
        { sort_buffer_size: "262144" },
      ),
    ).toHaveLength(1);
    expect(
      run(
        mysqlSortMergePasses,
        { sort_merge_passes: "5000", sort_scan: "1000000" },
        { sort_buffer_size: "262144" },
      ),
    ).toEqual([]);
  });

  it("buffer pool hit ratio against its size and the data, capped by the RAM", () => {
    const s = { innodb_buffer_pool_read_requests: "1000000", innodb_buffer_pool_reads: "80000" };
    const [f] = run(mysqlBufferPool, s, { innodb_buffer_pool_size: String(128 * MB) }, 1024 * MB);
    expect(f.evidence).toMatchObject({ hitRatio: 0.92, innodbDataBytes: 900 * MB });
    expect(String(f.fix.sql)).toBe(`SET GLOBAL innodb_buffer_pool_size = ${768 * MB}`);
    expect(run(mysqlBufferPool, { ...s, innodb_buffer_pool_reads: "10" }, {})).toEqual([]);
  });

  it("connections used against max_connections", () => {
    expect(
      run(mysqlConnectionUsage, { max_used_connections: "150" }, { max_connections: "151" })[0].severity,
    ).toBe("info");
    expect(run(mysqlConnectionUsage, { max_used_connections: "20" }, { max_connections: "151" })).toEqual([]);
  });

  it("slow log off, or its threshold too high", () => {
    const [off] = run(mysqlSlowLogSettings, {}, { slow_query_log: "OFF", long_query_time: "10.000000" });
    checkMysqlSql(String(off.fix.sql), 2);
    expect(run(mysqlSlowLogSettings, {}, { slow_query_log: "ON", long_query_time: "0.500000" })).toEqual([]);
  });

  it("buffers x connections over the RAM, only when the RAM is known", () => {
    const v = {
      innodb_buffer_pool_size: String(512 * MB),
      sort_buffer_size: String(4 * MB),
      join_buffer_size: String(4 * MB),
      max_connections: "500",
      tmp_table_size: String(16 * MB),
      max_heap_table_size: String(16 * MB),
    };
    expect(run(mysqlMemoryOverRam, { max_used_connections: "10" }, v)).toEqual([]);
    const [f] = run(mysqlMemoryOverRam, { max_used_connections: "10" }, v, 2048 * MB);
    expect(f.evidence.worstCaseBytes).toBe(512 * MB + 24 * MB * 500);
    expect(f.severity).toBe("info");
  });
});
