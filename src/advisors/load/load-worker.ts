/** Worker thread of the load driver: runs its share of the clients and sends progress and its result back. */
import { parentPort, workerData } from "node:worker_threads";
import { type ClientsSpec, runClients } from "./load-driver.js";

let stopped = false;
parentPort?.on("message", (m: { stop?: boolean }) => {
  if (m.stop) stopped = true;
});
const result = await runClients(workerData as ClientsSpec, {
  stopped: () => stopped,
  onProgress: (progress) => parentPort?.postMessage({ progress }),
});
parentPort?.postMessage({ result });
parentPort?.close();
