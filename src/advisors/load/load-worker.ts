/**
 * Worker thread of the load driver: connects its share of the clients, says so, waits for the word to start (every
 * thread's clients connected), runs, keeping its progress in the shared slots it was given, and sends its result back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type DriverSpec, runClients } from "./load-driver.js";

let stopped = false;
let go: () => void = () => {};
const started = new Promise<void>((resolve) => {
  go = resolve;
});
parentPort?.on("message", (m: { stop?: boolean; go?: boolean }) => {
  if (m.stop) stopped = true;
  if (m.stop || m.go) go();
});
const { spec, progress } = workerData as { spec: DriverSpec; progress: Float64Array };
const result = await runClients(spec, {
  stopped: () => stopped,
  progress,
  ready: () => {
    parentPort?.postMessage({ ready: true });
    return started;
  },
});
parentPort?.postMessage({ result });
parentPort?.close();
