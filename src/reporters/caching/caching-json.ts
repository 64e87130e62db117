import type { CachingReport } from "../../pipeline/advise-caching.js";

export function renderCachingJson(report: CachingReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
