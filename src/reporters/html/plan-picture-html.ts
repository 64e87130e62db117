/** The plan picture (reporters/plan-picture: boxes sized by own time, coloured by findings) placed in a page. */
import type { AnalyzedPlan } from "../../facts/plan/plan-metrics.js";
import type { Finding } from "../../findings/finding.js";
import { planPictureSvg } from "../plan-picture/plan-picture-svg.js";
import { type Html, html, trustedMarkup } from "./html-text.js";

export function planPictureHtml(
  analyzed: AnalyzedPlan,
  findings: readonly Finding[],
  id = "plan-picture",
): Html {
  // planPictureSvg escapes every name and figure it writes (util/markup-text.ts).
  const svg = trustedMarkup(planPictureSvg(analyzed.plan, findings, { title: "Plan" }));
  return html`<figure class="picture" id="${id}">${svg}</figure>`;
}
