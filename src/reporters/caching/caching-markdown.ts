import type { CachingReport } from "../../pipeline/advise-caching.js";
import { serverName } from "../../util/format.js";
import { foldedFindings, summaryLines } from "../markdown/findings-markdown.js";

/** `dbopt advise caching` in Markdown: the summary first, findings folded, then the wrapper in a code block. */
export function renderCachingMarkdown(report: CachingReport): string {
  const code = report.code
    ? [
        "<details><summary>Cache-aside wrapper (TypeScript, ioredis)</summary>",
        "",
        "```ts",
        report.code.wrapper.trimEnd(),
        ...(report.code.listener ? ["", report.code.listener.trimEnd()] : []),
        "```",
        "</details>",
        "",
      ]
    : [];
  return `${[
    `## dbopt advise caching: ${report.server.database} (${serverName(report.server.version)})`,
    "",
    ...summaryLines(report.findings),
    ...foldedFindings(report.findings),
    ...code,
    ...(report.notes.length ? ["**Notes**", "", ...report.notes.map((n) => `- ${n}`), ""] : []),
  ].join("\n")}\n`;
}
