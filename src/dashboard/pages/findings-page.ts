/**
 * A database's findings: the health rules on its latest sample's tables and indexes, and the plan rules (with
 * their index advice) on the plans its statements ran with in the last day, each with its evidence and fix.
 * Health findings are grouped by rule, the first few of each in full: a store of 200 tables with dead rows made a
 * 320 KB page of one rule; the rest of a rule is one click away (?rule=).
 */
import { type Finding, SEVERITY_ORDER } from "../../findings/finding.js";
import type { TargetName } from "../../store/read-dashboard.js";
import { escapeHtml, formatTime, page, shortQuery } from "../html.js";

export interface PlanFindings {
  statementId: number;
  query: string;
  findings: Finding[];
}

function findingItem(f: Finding): string {
  const evidence = Object.entries(f.evidence)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `<li><code>${escapeHtml(k)}</code> ${escapeHtml(String(v))}</li>`)
    .join("");
  const fix = f.fix
    ? `<p>${escapeHtml(f.fix.note)}</p>${f.fix.sql ? `<pre class="fix">${escapeHtml(String(f.fix.sql))}</pre>` : ""}`
    : "";
  return `<li class="finding sev-${f.severity}" data-rule="${escapeHtml(f.ruleId)}"><strong>${f.severity}</strong> ${escapeHtml(f.title)} <span class="muted">${escapeHtml(f.ruleId)}</span>
<p>${escapeHtml(f.detail)}</p>${evidence ? `<ul class="evidence">${evidence}</ul>` : ""}${fix}</li>`;
}

/** Findings of one rule shown in full before "show all". */
export const SHOWN_PER_RULE = 5;

/** The health findings one section per rule, the worst rules first; `open` (a rule id) shows all of its findings. */
function healthByRule(path: string, findings: Finding[], open: string | null): string {
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
  const worst = (list: Finding[]) => Math.min(...list.map((f) => SEVERITY_ORDER[f.severity]));
  return [...byRule]
    .sort(([a, x], [b, y]) => worst(x) - worst(y) || y.length - x.length || a.localeCompare(b))
    .map(([rule, list]) => {
      const shown = rule === open ? list : list.slice(0, SHOWN_PER_RULE);
      const more = list.length - shown.length;
      return `<section class="rule-findings" data-rule="${escapeHtml(rule)}" data-count="${list.length}"><h3>${escapeHtml(rule)} <span class="muted">${list.length} finding${list.length === 1 ? "" : "s"}</span></h3>
<ul>${shown.map(findingItem).join("")}</ul>${more > 0 ? `<p class="more">${more} more: <a href="${path}?rule=${encodeURIComponent(rule)}#health-findings">show all ${list.length}</a></p>` : ""}</section>`;
    })
    .join("\n");
}

export function findingsPage(
  target: TargetName,
  health: { takenAt: Date; findings: Finding[]; ran: string[]; notRun: string[] } | null,
  plans: PlanFindings[],
  openRule: string | null = null,
): string {
  const path = `/database/${target.id}/findings`;
  const healthPart = health
    ? `<p class="muted">From the sample of ${formatTime(health.takenAt)}: ${escapeHtml(health.ran.join(", "))}.</p>
${health.findings.length ? `<div id="health-findings">${healthByRule(path, health.findings, openRule)}</div>` : `<p id="health-findings">These rules find nothing in the latest sample.</p>`}
<p class="muted" id="not-run">Not run here, because the store does not keep what they read (columns, pg_stats, constraints, sequences, sessions, settings' context): ${escapeHtml(health.notRun.join(", "))}. Run <code>dbopt check --db ...</code> on the database for them.</p>`
    : "<p>No sample of this database holds tables yet.</p>";
  const withFindings = plans.filter((p) => p.findings.length);
  const planPart = withFindings.length
    ? withFindings
        .map(
          (p) =>
            `<section class="plan-findings" data-statement="${p.statementId}"><h3><a href="/statement/${p.statementId}"><code>${escapeHtml(shortQuery(p.query))}</code></a></h3><ul>${p.findings.map(findingItem).join("")}</ul></section>`,
        )
        .join("\n")
    : `<p id="plan-findings">The plan rules find nothing in the ${plans.length} plans sampled in the last day.</p>`;
  const body = `<h1>Findings <span class="muted">on <a href="/database/${target.id}">${escapeHtml(target.databaseName)}</a></span></h1>
<h2>Health of tables and indexes</h2>
${healthPart}
<h2>Plans and index advice</h2>
<p class="muted">The plan rules on the generic plan each statement had in the last day of samples (${plans.length} statements with plans).</p>
${planPart}`;
  return page(`Findings · ${target.databaseName}`, body);
}
