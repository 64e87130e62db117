import { candidateDdl, type IndexCandidate } from "./index-candidate.js";
import type { SearchContext } from "./search-context.js";

/**
 * A later index may have taken over an earlier one's work. Of two that do the same job, keep the one worth more
 * net of its writes and space; an index that no longer pays for itself goes. Changes `chosen` and returns it.
 */
export async function dropTakenOver(
  context: SearchContext,
  chosen: IndexCandidate[],
): Promise<IndexCandidate[]> {
  const { whatIf, netOf, minGain } = context;
  context.progress(`checking whether another chosen index does the job of one of the ${chosen.length}`);
  for (let changed = true; changed && chosen.length > 1; ) {
    changed = false;
    for (const c of [...chosen]) {
      const without = chosen.filter((x) => x !== c);
      if ((await netOf(c, without, chosen, await whatIf.size(c))) > minGain) continue;
      let remove = c;
      for (const d of without.filter((d) => d.schema === c.schema && d.table === c.table)) {
        const rest = without.filter((x) => x !== d);
        const cAlone = await netOf(c, rest, [...rest, c], await whatIf.size(c));
        if (cAlone <= minGain) continue; // c does no job of its own without d either
        if (cAlone > (await netOf(d, rest, [...rest, d], await whatIf.size(d)))) remove = d;
        break;
      }
      context.progress(`dropped ${candidateDdl(remove)}: another chosen index does its job`);
      chosen.splice(chosen.indexOf(remove), 1);
      changed = true;
      break;
    }
  }
  return chosen;
}
