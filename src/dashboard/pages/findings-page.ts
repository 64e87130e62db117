/**
 * A database's findings: the health rules on its latest sample's tables and indexes, and the plan rules (with
 * their index advice) on the plans its statements ran with in the last day, each with its evidence and fix.
 */
import type { Finding } from "../../findings/finding.js";
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

export function findingsPage(
  target: TargetName,
  health: { takenAt: Date; findings: Finding[]; ran: string[]; notRun: string[] } | null,
  plans: PlanFindings[],
): string {
  const healthPart = health
    ? `<p class="muted">From the sample of ${formatTime(health.takenAt)}: ${escapeHtml(health.ran.join(", "))}.</p>
${health.findings.length ? `<ul id="health-findings">${health.findings.map(findingItem).join("")}</ul>` : `<p id="health-findings">These rules find nothing in the latest sample.</p>`}
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
