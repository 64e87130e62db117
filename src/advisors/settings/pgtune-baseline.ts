/**
 * PGTune's published formulas (pgtune.leopard.in.ua, for PostgreSQL 10+ on Linux) as the starting point for
 * `dbopt tune`: memory, WAL, planner and parallelism settings from RAM, cores, storage, workload and connections.
 */

export type WorkloadKind = "web" | "oltp" | "dw" | "mixed" | "desktop";
export type StorageKind = "ssd" | "hdd" | "san";

export interface TuneMachine {
  ramBytes: number;
  cpus: number | null;
  storage: StorageKind;
  workload: WorkloadKind;
  connections: number | null;
}

/** A value in the unit PostgreSQL takes it in, and how to write it in ALTER SYSTEM. */
export interface SettingValue {
  /** Bytes for memory settings, the plain number otherwise. */
  value: number;
  text: string;
}

const KB = 1024;
const MB = 1024 ** 2;
const GB = 1024 ** 3;

const DEFAULT_CONNECTIONS: Record<WorkloadKind, number> = {
  web: 200,
  oltp: 300,
  dw: 40,
  mixed: 100,
  desktop: 20,
};
const WAL_SIZES: Record<WorkloadKind, [number, number]> = {
  web: [1 * GB, 4 * GB],
  oltp: [2 * GB, 8 * GB],
  dw: [4 * GB, 16 * GB],
  mixed: [1 * GB, 4 * GB],
  desktop: [100 * MB, 2 * GB],
};

/** Write bytes the way people write settings: whole GB, else MB, else kB. */
export function memoryText(bytes: number): string {
  if (bytes >= GB && bytes % GB === 0) return `${bytes / GB}GB`;
  if (bytes >= MB && bytes % MB === 0) return `${bytes / MB}MB`;
  return `${Math.max(1, Math.floor(bytes / KB))}kB`;
}

const memory = (bytes: number): SettingValue => ({ value: bytes, text: memoryText(bytes) });
const plain = (value: number): SettingValue => ({ value, text: String(value) });

export function pgtuneBaseline(m: TuneMachine): Record<string, SettingValue> {
  const connections = m.connections ?? DEFAULT_CONNECTIONS[m.workload];
  const sharedBuffers = Math.floor(m.workload === "desktop" ? m.ramBytes / 16 : m.ramBytes / 4);
  const effectiveCache = Math.floor(m.workload === "desktop" ? m.ramBytes / 4 : (m.ramBytes * 3) / 4);
  const maintenance = Math.min(2 * GB, Math.floor(m.workload === "dw" ? m.ramBytes / 8 : m.ramBytes / 16));
  let walBuffers = Math.floor((sharedBuffers * 3) / 100);
  if (walBuffers > 14 * MB) walBuffers = 16 * MB;
  walBuffers = Math.max(32 * KB, walBuffers);
  const out: Record<string, SettingValue> = {
    max_connections: plain(connections),
    shared_buffers: memory(roundDownTo(sharedBuffers, MB)),
    effective_cache_size: memory(roundDownTo(effectiveCache, MB)),
    maintenance_work_mem: memory(roundDownTo(maintenance, MB)),
    checkpoint_completion_target: plain(0.9),
    wal_buffers: memory(walBuffers),
    default_statistics_target: plain(m.workload === "dw" ? 500 : 100),
    random_page_cost: plain(m.storage === "hdd" ? 4 : 1.1),
    effective_io_concurrency: plain(m.storage === "hdd" ? 2 : m.storage === "ssd" ? 200 : 300),
    min_wal_size: memory(WAL_SIZES[m.workload][0]),
    max_wal_size: memory(WAL_SIZES[m.workload][1]),
  };
  let workersPerGather = 1;
  if (m.cpus !== null && m.cpus >= 4) {
    workersPerGather = Math.ceil(m.cpus / 2);
    if (m.workload !== "dw" && workersPerGather > 4) workersPerGather = 4;
    out.max_worker_processes = plain(m.cpus);
    out.max_parallel_workers_per_gather = plain(workersPerGather);
    out.max_parallel_workers = plain(m.cpus);
    out.max_parallel_maintenance_workers = plain(Math.min(4, Math.ceil(m.cpus / 2)));
  }
  // work_mem: what is left after shared_buffers, spread over three sorts per connection and the parallel workers.
  let workMem = (m.ramBytes - sharedBuffers) / (connections * 3) / workersPerGather;
  if (m.workload === "dw" || m.workload === "mixed") workMem /= 2;
  if (m.workload === "desktop") workMem /= 6;
  out.work_mem = memory(Math.max(64 * KB, roundDownTo(workMem, KB)));
  if (m.ramBytes >= 32 * GB) out.huge_pages = { value: 1, text: "try" };
  return out;
}

function roundDownTo(n: number, unit: number): number {
  return Math.floor(n / unit) * unit;
}
