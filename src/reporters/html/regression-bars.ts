/** The bars of a regressions chart: each finding's mean time per call before and after (diff and regressions). */
import type { Finding } from "../../findings/finding.js";
import { formatFactor, formatMs } from "../../util/format.js";
import type { PairedBar } from "./bar-chart-svg.js";

export function regressionBars(findings: Finding[]): PairedBar[] {
  return findings.map((f) => {
    const before = Number(f.evidence.meanBeforeMs ?? 0);
    const after = Number(f.evidence.meanAfterMs ?? 0);
    return {
      label: f.query ?? f.title,
      before,
      after,
      beforeShown: formatMs(before),
      afterShown: `${formatMs(after)} (${formatFactor(Number(f.evidence.slowerBy ?? 0))})`,
    };
  });
}
