/** The BRIN step of the index search: a BRIN in place of a chosen B-tree on the same column. */
import { DbError } from "../../connectors/db-error.js";
import { formatBytes, formatPercent } from "../../util/format.js";
import { candidateDdl, type IndexCandidate } from "./index-candidate.js";
import type { SearchContext } from "./search-context.js";
import type { WhatIf } from "./what-if.js";
import type { WorkloadQuery } from "./workload-query.js";

/** A BRIN replaces a chosen B-tree on its column when it keeps this share of its saving at this share of its bytes. */
const BRIN_KEEPS = 0.9;
const BRIN_MAX_SIZE_SHARE = 0.1;

/**
 * BRIN in place of a chosen B-tree on the same column, by the rule an expert applies: take the BRIN when it
 * keeps at least BRIN_KEEPS (90%) of the B-tree's saving on the statements the B-tree serves, at no more than
 * BRIN_MAX_SIZE_SHARE (a tenth) of its bytes. A tenth of the saving is within what two runs of one statement
 * differ by, while the bytes differ a hundred to a thousand times, and a BRIN adds almost nothing to each write.
 * The saving is measured (EXPLAIN ANALYZE, median of three runs) where the indexes exist for real (a sandbox),
 * else the planner's estimate, which is pessimistic for BRIN: it costs the heap pages of a bitmap scan as if
 * the matching rows were scattered over the table even when they are stored in order. The outcome is a note
 * either way, with the figures.
 */
export async function preferBrin(context: SearchContext, start: IndexCandidate[]): Promise<IndexCandidate[]> {
  const { whatIf, measurable, progress, notes, ratio, onTable } = context;
  let current = start;
  for (const x of start.filter((x) => x.method === "btree" && !x.where)) {
    const b = measurable.find(
      (b) =>
        b.method === "brin" &&
        b.schema === x.schema &&
        b.table === x.table &&
        b.columns.length === 1 &&
        b.columns[0] === x.columns[0],
    );
    if (!b || current.includes(b)) continue;
    const rest = current.filter((c) => c !== x);
    const served: WorkloadQuery[] = [];
    for (const q of onTable(x)) if ((await whatIf.cost(q, current)).used.includes(x.key)) served.push(q);
    if (!served.length) continue;
    const [brinBytes, btreeBytes] = [await whatIf.size(b), await whatIf.size(x)];
    const estimated = async () => {
      let x = 0;
      let y = 0;
      for (const q of served) {
        x += q.weight * ((await ratio(q, rest)) - (await ratio(q, current)));
        y += q.weight * ((await ratio(q, rest)) - (await ratio(q, [...rest, b])));
      }
      return [x, y];
    };
    const measured = async (measure: NonNullable<WhatIf["measure"]>) => {
      let x = 0;
      let y = 0;
      for (const q of served) {
        const without = await measure(q, rest);
        x += (q.weight * (without - (await measure(q, current)))) / Math.max(without, 1e-6);
        y += (q.weight * (without - (await measure(q, [...rest, b])))) / Math.max(without, 1e-6);
      }
      return [x, y];
    };
    // Statements planned without values cannot be run; one that fails when run (a timeout) leaves the estimate.
    let how = "by the planner's estimate";
    let saves: number[] | null = null;
    if (whatIf.measure && served.every((q) => q.method !== "generic")) {
      saves = await measured(whatIf.measure.bind(whatIf)).catch((error: unknown) => {
        if (error instanceof DbError && error.isConnectionError) throw error;
        how = `by the planner's estimate (running the statements failed: ${error instanceof Error ? error.message : String(error)})`;
        return null;
      });
      if (saves) how = "measured";
    }
    const [saveX = 0, saveB = 0] = saves ?? (await estimated());
    const runnable = how === "measured";
    const keeps = saveX > 0 ? saveB / saveX : 0;
    const share = brinBytes / Math.max(btreeBytes, 1);
    const figures = `${candidateDdl(b)} (${formatBytes(brinBytes)}) keeps ${formatPercent(keeps)} of the saving of ${candidateDdl(x)} (${formatBytes(btreeBytes)}), ${how}, at ${formatPercent(share, 1)} of its bytes`;
    if (keeps >= BRIN_KEEPS && share <= BRIN_MAX_SIZE_SHARE) {
      progress(`BRIN in place of the B-tree: ${figures}`);
      const brin = {
        ...b,
        reason: `${b.reason}; in place of a B-tree on ${b.columns[0]}: keeps ${formatPercent(keeps)} of its saving (${how}) at ${formatPercent(share, 1)} of its ${formatBytes(btreeBytes)}`,
      };
      current = [...rest, brin];
      notes.push(
        `BRIN chosen over a B-tree: ${figures} (dbopt takes an index a tenth the size or smaller when it keeps at least ${formatPercent(BRIN_KEEPS)} of the bigger one's saving)`,
      );
    } else {
      notes.push(
        `B-tree kept over BRIN: ${figures}, under the ${formatPercent(BRIN_KEEPS)} dbopt asks of an index a tenth the size or smaller${runnable ? "" : "; PostgreSQL's planner costs a BRIN scan's heap reads as if the rows were scattered even when they are stored in order, so measure it with --sandbox, which runs the statement with each index"}`,
      );
    }
  }
  return current;
}
