/** dbopt's CLI from the sources (no build step), for the bench: `npx tsx bench/oltp/run-dbopt.ts advise ...`. */
import { main } from "../../src/cli/main.js";

const code = await main(process.argv);
await new Promise((resolve) => process.stdout.write("", resolve));
process.exit(code);
