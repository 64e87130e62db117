/**
 * dbopt's index advice on a workload file with every step of the search printed (what it chose and why), for
 * working on the advisor: `npx tsx bench/oltp/advise-progress.ts FILE.sql DATABASE_URL [--sandbox]` (--sandbox builds
 * every candidate for real in that database and measures statements there: use a copy).
 */

import { PostgresConnector } from "../../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { adviseDatabase } from "../../src/pipeline/advise-database.js";
import { loadSqlParser } from "../../src/util/sql-parser.js";

const args = process.argv.slice(2);
const sandbox = args.includes("--sandbox");
const [file, url] = args.filter((a) => a !== "--sandbox");
if (!file || !url) {
  console.error("usage: advise-progress.ts FILE.sql DATABASE_URL [--sandbox]");
  process.exit(2);
}
await loadSqlParser();
const { report } = await adviseDatabase(() => PostgresConnector.connect(resolveTarget({ db: url })), {
  workloadFile: file,
  sandbox,
  apply: false,
  budgetBytes: null,
  maxIndexes: null,
  minImprovement: 0.05,
  onProgress: (m) => console.log(`  ${m}`),
});
console.log(`${report.recommendations.length} indexes, ${report.whatIfCalls} what-if calls`);
for (const r of report.recommendations)
  console.log(`${(r.sizeBytes / 2 ** 20).toFixed(1).padStart(7)} MB  ${r.ddl}`);
