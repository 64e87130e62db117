import { describe, expect, it } from "vitest";
import { pgtuneBaseline } from "./pgtune-baseline.js";

const GB = 1024 ** 3;
const texts = (r: ReturnType<typeof pgtuneBaseline>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.text]));

describe("PGTune baseline", () => {
  // Expected values are PGTune's own output for the same inputs (pgtune.leopard.in.ua).
  it("matches PGTune for 8 GB, 4 cores, OLTP, 100 connections, SAN", () => {
    expect(
      texts(
        pgtuneBaseline({ ramBytes: 8 * GB, cpus: 4, storage: "san", workload: "oltp", connections: 100 }),
      ),
    ).toEqual({
      max_connections: "100",
      shared_buffers: "2GB",
      effective_cache_size: "6GB",
      maintenance_work_mem: "512MB",
      checkpoint_completion_target: "0.9",
      wal_buffers: "16MB",
      default_statistics_target: "100",
      random_page_cost: "1.1",
      effective_io_concurrency: "300",
      work_mem: "10485kB",
      min_wal_size: "2GB",
      max_wal_size: "8GB",
      max_worker_processes: "4",
      max_parallel_workers_per_gather: "2",
      max_parallel_workers: "4",
      max_parallel_maintenance_workers: "2",
    });
  });

  it("matches PGTune for 8 GB, 4 cores, OLTP, 1000 connections, SSD", () => {
    const r = pgtuneBaseline({
      ramBytes: 8 * GB,
      cpus: 4,
      storage: "ssd",
      workload: "oltp",
      connections: 1000,
    });
    expect(r.work_mem?.text).toBe("1048kB");
    expect(r.effective_io_concurrency?.text).toBe("200");
  });

  it("halves work_mem for data warehouses and spreads it over more parallel workers", () => {
    const r = pgtuneBaseline({ ramBytes: 8 * GB, cpus: 8, storage: "hdd", workload: "dw", connections: 100 });
    expect(r.work_mem?.text).toBe("2621kB");
    expect(r.default_statistics_target?.text).toBe("500");
    expect(r.random_page_cost?.text).toBe("4");
    expect(r.max_parallel_workers_per_gather?.text).toBe("4");
    expect(r.maintenance_work_mem?.text).toBe("1GB");
  });

  it("leaves parallelism alone without a core count, and tries huge pages from 32 GB", () => {
    const r = pgtuneBaseline({
      ramBytes: 64 * GB,
      cpus: null,
      storage: "ssd",
      workload: "web",
      connections: null,
    });
    expect(r.max_parallel_workers).toBeUndefined();
    expect(r.max_connections?.text).toBe("200");
    expect(r.huge_pages?.text).toBe("try");
    expect(r.shared_buffers?.text).toBe("16GB");
    expect(r.maintenance_work_mem?.text).toBe("2GB");
  });
});
