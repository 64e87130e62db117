import { describe, expect, it } from "vitest";
import { mariadbAvailable } from "../../../test/support/mariadb.js";
import { counterSession } from "../../../test/support/mariadb-counters.js";
import { mysqlFacts, table } from "../../../test/support/mysql-facts-builder.js";
import { checkMysqlSql } from "../../util/mysql-sql-check.js";
import { defaultOptions } from "../rule.js";
import { mysqlBufferPool } from "./buffer-pool.js";

const MB = 1024 ** 2;
const run = (
  status: Record<string, string>,
  variables: Record<string, string>,
  ramBytes?: number,
  options = {},
) =>
  mysqlBufferPool.check(
    {
      mysql: mysqlFacts({ status, variables, tables: [table("t", { dataBytes: 900 * MB })] }),
      ...(ramBytes ? { machine: { ramBytes } } : {}),
    },
    { ...defaultOptions(mysqlBufferPool), ...options },
  );

describe("mysql/buffer-pool", () => {
  it("hit ratio against the pool's size and the data, the new size capped by the RAM", () => {
    const s = { innodb_buffer_pool_read_requests: "1000000", innodb_buffer_pool_reads: "80000" };
    const [f] = run(s, { innodb_buffer_pool_size: String(128 * MB) }, 1024 * MB);
    expect(f?.evidence).toMatchObject({ hitRatio: 0.92, innodbDataBytes: 900 * MB });
    expect(checkMysqlSql(String(f?.fix?.sql), 1)).toBe(`SET GLOBAL innodb_buffer_pool_size = ${768 * MB}`);
    expect(run({ ...s, innodb_buffer_pool_reads: "10" }, {})).toEqual([]);
  });

  it("weighs the pool against every database's InnoDB data when the facts hold it (the pool is the server's)", () => {
    const s = { innodb_buffer_pool_read_requests: "1000000", innodb_buffer_pool_reads: "80000" };
    const [f] = mysqlBufferPool.check(
      {
        mysql: mysqlFacts({
          status: s,
          variables: { innodb_buffer_pool_size: String(128 * MB) },
          tables: [table("t", { dataBytes: 10 * MB })],
          serverInnodbBytes: 2000 * MB,
        }),
      },
      defaultOptions(mysqlBufferPool),
    );
    expect(f?.evidence.innodbDataBytes).toBe(2000 * MB);
    expect(f?.detail).toContain("every database on the server");
  });

  it("too few read requests to judge", () => {
    expect(run({ innodb_buffer_pool_read_requests: "5000", innodb_buffer_pool_reads: "4000" }, {})).toEqual(
      [],
    );
  });
});

const available = await mariadbAvailable();

describe.skipIf(!available)("mysql/buffer-pool on MariaDB's own counters", () => {
  it("reads the hit ratio from the server's Innodb_buffer_pool counters", async () => {
    const s = await counterSession();
    try {
      // Pages read since the start (system tables at boot at least) are misses the ratio counts.
      const status = await s.status("GLOBAL");
      const variables = await s.variables("GLOBAL");
      const requests = Number(status.innodb_buffer_pool_read_requests);
      const reads = Number(status.innodb_buffer_pool_reads);
      expect(requests).toBeGreaterThan(0);
      expect(reads).toBeGreaterThan(0);
      const [f] = run(status, variables, undefined, { minReadRequests: 0, minHitRatio: 1 });
      expect(f?.evidence).toMatchObject({
        bufferPoolReads: reads,
        bufferPoolReadRequests: requests,
        hitRatio: Number((1 - reads / requests).toFixed(4)),
        bufferPoolSizeBytes: Number(variables.innodb_buffer_pool_size),
      });
      expect(run(status, variables, undefined, { minReadRequests: 0, minHitRatio: 0 })).toEqual([]);
    } finally {
      await s.end();
    }
  }, 30_000);
});
