/**
 * A statement: calls, mean and an estimated p95 per call, and rows over time, with the samples where its plan shape
 * changed marked on the charts; every plan shape stored for it drawn as a picture (plan-picture-svg.ts) coloured by
 * the plan rules' findings, and the diff between any two.
 */
import type { Finding } from "../../findings/finding.js";
import { planPictureSvg } from "../../reporters/plan-picture/plan-picture-svg.js";
import type { StatementSeries, StoredPlan, StoredStatement, TimeRange } from "../../store/read-dashboard.js";
import { escapeHtml, formatCount, formatTime, jsonScript, page } from "../html.js";
import { P95_METHOD, p95Estimate } from "../p95-estimate.js";
import { rangeControls } from "../time-range.js";
import { planTreeHtml } from "./plan-tree-html.js";

function findingList(findings: Finding[]): string {
  if (findings.length === 0) return `<p class="muted">The plan rules find nothing in this plan.</p>`;
  return `<ul class="plan-findings">${findings
    .map((f) => {
      const evidence = Object.entries(f.evidence)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => `${escapeHtml(k)} ${escapeHtml(String(v))}`)
        .join(" · ");
      return `<li class="sev-${f.severity}"><strong>${f.severity}</strong> ${escapeHtml(f.title)}${evidence ? ` <span class="muted">(${evidence})</span>` : ""}</li>`;
    })
    .join("")}</ul>`;
}

export function statementPage(
  statement: StoredStatement,
  range: TimeRange & { label: string },
  series: StatementSeries,
  plans: StoredPlan[],
  findings: Map<number, Finding[]>,
): string {
  const path = `/statement/${statement.id}`;
  const { points } = series;
  const x = points.map((p) => p.at.getTime() / 1000);
  const marks = series.planChanges.map((p) => p.at.getTime() / 1000);
  const per = series.bin === "sample" ? "per sample" : `per ${series.bin}`;
  const chart = (
    id: string,
    label: string,
    unit: string,
    lines: Array<{ label: string; values: (number | null)[] }>,
  ) =>
    `<h2>${label}</h2><div class="chart" id="${id}-chart" data-chart="${id}-data"></div>${jsonScript(
      `${id}-data`,
      {
        unit,
        stacked: false,
        x,
        series: lines,
        marks,
      },
    )}`;
  const charts = points.length
    ? [
        chart("calls", `Calls ${per}`, "calls", [{ label: "calls", values: points.map((p) => p.calls) }]),
        chart("mean", "Time per call: mean and estimated p95", "ms", [
          { label: "mean", values: points.map((p) => (p.calls ? p.totalMs / p.calls : null)) },
          { label: "p95 (estimated)", values: points.map((p) => p95Estimate(p.calls, p.totalMs, p.sumSqMs)) },
        ]),
        `<p class="muted" id="p95-method">${escapeHtml(P95_METHOD)}</p>`,
        chart("rows", `Rows ${per}`, "rows", [{ label: "rows", values: points.map((p) => p.rows) }]),
      ].join("\n")
    : "<p>The statement did not run in this range.</p>";
  const planNumber = new Map(plans.map((p, i) => [p.id, i + 1]));
  let previous = series.firstPlan?.planId ?? null;
  const changeItems = series.planChanges.map((c) => {
    const was = previous;
    previous = c.planId;
    const diff =
      was === null
        ? ""
        : ` · <a class="plan-diff" href="/plan-diff?before=${was}&amp;after=${c.planId}">diff with plan ${planNumber.get(was) ?? "?"}</a>`;
    return `<li>${formatTime(c.at)}: plan ${planNumber.get(c.planId) ?? "?"}${was === null ? "" : ` (was plan ${planNumber.get(was) ?? "?"})`}${diff}</li>`;
  });
  const changeList = changeItems.length
    ? `<p class="warn">The plan shape changed ${changeItems.length === 1 ? "once" : `${changeItems.length} times`} in this range (dashed lines on the charts):</p><ul id="plan-changes">${changeItems.join("")}</ul>`
    : "";
  const options = (selected: number) =>
    plans
      .map((p, i) => `<option value="${p.id}"${i === selected ? " selected" : ""}>plan ${i + 1}</option>`)
      .join("");
  const diffForm =
    plans.length >= 2
      ? `<form class="diff" method="get" action="/plan-diff">compare <select name="before">${options(0)}</select> with <select name="after">${options(plans.length - 1)}</select> <button type="submit">diff</button></form>`
      : "";
  const planSections = plans
    .map((p, i) => {
      const next = plans[i + 1];
      const diff = next
        ? ` · <a class="plan-diff" href="/plan-diff?before=${p.id}&amp;after=${next.id}">diff with plan ${i + 2}</a>`
        : "";
      const found = findings.get(p.id) ?? [];
      return `<section class="stored-plan" data-plan="${p.id}"><h3>Plan ${i + 1} <span class="muted">shape ${escapeHtml(p.shapeHash.slice(0, 12))} · first seen ${formatTime(p.firstSeen)} · ${formatCount(p.samples)} samples, last ${formatTime(p.lastSeen)}</span>${diff}</h3>
<div class="picture">${planPictureSvg(p.plan, found, { title: `Plan ${i + 1} of statement ${statement.id}` })}</div>
${findingList(found)}
<details><summary>as text</summary>${planTreeHtml(p.plan.root)}</details></section>`;
    })
    .join("\n");
  const body = `<h1>Statement ${statement.id} <span class="muted">on <a href="/database/${statement.targetId}">${escapeHtml(statement.databaseName)}</a></span></h1>
<pre id="query">${escapeHtml(statement.query)}</pre>
<p class="muted">queryid ${escapeHtml(statement.queryid)} · user ${escapeHtml(statement.userName)} · seen ${formatTime(statement.firstSeen)} to ${formatTime(statement.lastSeen)}</p>
${rangeControls(path, range)}
<p class="muted" id="resolution">${points.length} points, one ${per.replace("per ", "")} each${series.grain === "sample" ? "" : ` (read from the ${series.grain}ly rollup)`}.</p>
${changeList}
${charts}
<h2>Plans (generic plans, as the collector took them)</h2>
<p class="muted">Each box is a plan node, sized by its own estimated cost (generic plans are not run) and coloured by the plan rules' findings on it; hover a box for its figures.</p>
${diffForm}
${plans.length ? planSections : "<p>No plan of this statement is stored: the collector stores the plans of the statements with the most time in each sample (--plans).</p>"}`;
  return page(`Statement ${statement.id}`, body, { charts: points.length > 0 });
}
