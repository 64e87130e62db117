/**
 * Worker thread of the load driver: connects its share of the clients, says so, waits for the word to start (every
 * thread's clients connected), runs, and sends progress and its result back.
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
const result = await runClients(workerData as DriverSpec, {
  stopped: () => stopped,
  onProgress: (progress) => parentPort?.postMessage({ progress }),
  ready: () => {
    parentPort?.postMessage({ ready: true });
    return started;
  },
});
parentPort?.postMessage({ result });
parentPort?.close();
