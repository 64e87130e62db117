/** The HTML page for a database report (explain, analyze, check, advise, tune), as renderJson takes them. */

import { renderAdviceHtml } from "./advice-html.js";
import { renderAnalyzeHtml } from "./analyze-html.js";
import { renderCheckHtml } from "./check-html.js";
import type { Report } from "./database-json.js";
import { renderPlanHtml } from "./plan-html.js";
import { renderTuneHtml } from "./tune-html.js";

export function renderHtml(report: Report, now?: Date): string {
  switch (report.kind) {
    case "plan":
      return renderPlanHtml(report, now);
    case "analyze":
      return renderAnalyzeHtml(report, now);
    case "check":
      return renderCheckHtml(report, now);
    case "advice":
      return renderAdviceHtml(report, now);
    case "tune":
      return renderTuneHtml(report, now ? { now } : {});
  }
}
