/**
 * A statement: calls, mean time and rows per sample, with the samples where its plan shape changed marked on the
 * charts, and every plan shape stored for it, with links to the diff of one to the next.
 */
import type { StatementPoint, StoredPlan, StoredStatement, TimeRange } from "../../store/read-dashboard.js";
import { escapeHtml, formatCount, formatTime, jsonScript, page } from "../html.js";
import { rangeControls } from "../time-range.js";
import { planTreeHtml } from "./plan-tree-html.js";

/** The samples whose plan differs from the plan seen before them (the first plan seen is no change). */
export function planChanges(points: StatementPoint[]): StatementPoint[] {
  const changes: StatementPoint[] = [];
  let previous: number | null = null;
  for (const p of points) {
    if (p.planId === null) continue;
    if (previous !== null && p.planId !== previous) changes.push(p);
    previous = p.planId;
  }
  return changes;
}

export function statementPage(
  statement: StoredStatement,
  range: TimeRange & { label: string },
  points: StatementPoint[],
  plans: StoredPlan[],
): string {
  const path = `/statement/${statement.id}`;
  const x = points.map((p) => p.at.getTime() / 1000);
  const changes = planChanges(points);
  const marks = changes.map((p) => p.at.getTime() / 1000);
  const chart = (id: string, label: string, unit: string, values: (number | null)[]) =>
    `<h2>${label}</h2><div class="chart" id="${id}-chart" data-chart="${id}-data"></div>${jsonScript(
      `${id}-data`,
      {
        unit,
        stacked: false,
        x,
        series: [{ label, values }],
        marks,
      },
    )}`;
  const charts = points.length
    ? [
        chart(
          "calls",
          "Calls per sample",
          "calls",
          points.map((p) => p.calls),
        ),
        chart(
          "mean",
          "Mean time per call",
          "ms",
          points.map((p) => (p.calls ? p.totalMs / p.calls : null)),
        ),
        chart(
          "rows",
          "Rows per sample",
          "rows",
          points.map((p) => p.rows),
        ),
      ].join("\n")
    : "<p>The statement did not run in this range.</p>";
  const planNumber = new Map(plans.map((p, i) => [p.id, i + 1]));
  const changeList = changes.length
    ? `<ul id="plan-changes">${changes
        .map((c) => `<li>${formatTime(c.at)}: plan ${planNumber.get(c.planId as number) ?? "?"}</li>`)
        .join("")}</ul>`
    : "";
  const planSections = plans
    .map((p, i) => {
      const next = plans[i + 1];
      const diff = next
        ? ` · <a class="plan-diff" href="/plan-diff?before=${p.id}&amp;after=${next.id}">diff with plan ${i + 2}</a>`
        : "";
      return `<section class="stored-plan" data-plan="${p.id}"><h3>Plan ${i + 1} <span class="muted">shape ${escapeHtml(p.shapeHash.slice(0, 12))} · first seen ${formatTime(p.firstSeen)} · ${formatCount(p.samples)} samples, last ${formatTime(p.lastSeen)}</span>${diff}</h3>${planTreeHtml(p.plan.root)}</section>`;
    })
    .join("\n");
  const body = `<h1>Statement ${statement.id} <span class="muted">on <a href="/database/${statement.targetId}">${escapeHtml(statement.databaseName)}</a></span></h1>
<pre id="query">${escapeHtml(statement.query)}</pre>
<p class="muted">queryid ${escapeHtml(statement.queryid)} · user ${escapeHtml(statement.userName)} · seen ${formatTime(statement.firstSeen)} to ${formatTime(statement.lastSeen)}</p>
${rangeControls(path, range)}
${marks.length ? `<p class="warn">The plan shape changed ${marks.length === 1 ? "once" : `${marks.length} times`} in this range (dashed lines):</p>${changeList}` : ""}
${charts}
<h2>Plans (generic plans, as the collector took them)</h2>
${plans.length ? planSections : "<p>No plan of this statement is stored: the collector stores the plans of the statements with the most time in each sample (--plans).</p>"}`;
  return page(`Statement ${statement.id}`, body, { charts: points.length > 0 });
}
