/** The HTML page for a database report (explain, analyze, check, advise, tune), as renderJson takes them. */
import type { Report } from "../database/database-json.js";
import { renderAdviceHtml } from "./advice-report-html.js";
import { renderAnalyzeHtml } from "./analyze-report-html.js";
import { renderCheckHtml } from "./check-report-html.js";
import { renderPlanHtml } from "./plan-report-html.js";
import { renderTuneHtml } from "./tune-report-html.js";

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
