/**
 * The frame of every HTML report: one self-contained file (inline CSS, inline SVG, no script, nothing fetched)
 * with a header naming the report, the database or input, the server, when it was written and by which dbopt,
 * a summary table, then the report's own sections. Prints on paper as it shows on screen, without backgrounds.
 */
import { DBOPT_VERSION } from "../../version.js";
import { type Html, type HtmlValue, html, htmlText, trustedMarkup } from "./html-text.js";

export interface PageShell {
  /** "dbopt check", "dbopt explain". */
  title: string;
  /** What the report is about: a database, a plan file, log files. */
  subject: string;
  /** The server, when the report names one ("PostgreSQL 15.10"). */
  server?: string | null;
  /** When the facts were taken, when the report says (else only when the page was written). */
  capturedAt?: string | null;
  /** The summary table's rows: a name and its value. */
  summary: Array<[string, HtmlValue]>;
  /** Things to know before reading (what dbopt could not see). */
  notes?: string[];
  body: Html;
  /** The time the page is written; given by tests. */
  now?: Date;
}

const STYLE = `
:root{--ink:#1d2430;--muted:#687080;--line:#e3e6ea;--error:#b42318;--warning:#b54708;--info:#175cd3;--ok:#067647}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:var(--ink);background:#f6f7f9}
header.report{background:var(--ink);color:#fff;padding:14px 24px}
header.report h1{font-size:20px;margin:0 0 4px}header.report .meta{color:#c9ced6;font-size:13px}
main{padding:16px 24px;max-width:1280px}
h2{font-size:17px;margin:28px 0 10px;border-bottom:2px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:0 0 6px}
table{border-collapse:collapse;background:#fff;width:100%;margin:6px 0}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef0f3;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.summary{width:auto;min-width:420px}table.summary th{width:14em}
code,pre{font:12px/1.45 ui-monospace,"SFMono-Regular",Menlo,monospace}
pre{background:#fff;border:1px solid var(--line);padding:8px 10px;overflow:auto;white-space:pre-wrap;word-break:break-word;margin:6px 0}
pre.sql{border-left:4px solid var(--ok)}
.muted{color:var(--muted)}.notes{list-style:none;padding:0}.notes li{background:#fffaeb;border-left:4px solid var(--warning);padding:6px 10px;margin:4px 0}
article.finding{background:#fff;border:1px solid var(--line);border-left:5px solid var(--info);padding:10px 14px;margin:10px 0;break-inside:avoid}
article.finding.error{border-left-color:var(--error)}article.finding.warning{border-left-color:var(--warning)}
.severity{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;padding:1px 6px;border-radius:3px;color:#fff;background:var(--info);margin-right:6px;vertical-align:1px}
.severity.error{background:var(--error)}.severity.warning{background:var(--warning)}
.rule{color:var(--muted);font-size:12px}.cost{font-weight:600}
dl.evidence{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:6px 0;font-size:13px}
dl.evidence dt{color:var(--muted)}dl.evidence dd{margin:0;font-variant-numeric:tabular-nums}
.picture{background:#fff;border:1px solid var(--line);padding:8px;margin:8px 0;overflow:auto}
.picture svg{max-width:100%;height:auto}.sides{display:flex;gap:12px;flex-wrap:wrap}.side{flex:1 1 420px;min-width:0}
table.plan td.node{white-space:pre;font:12px/1.45 ui-monospace,monospace}
table.plan tr.flagged td.node{font-weight:700}table.plan .props{color:var(--muted);white-space:pre-wrap}
.bar{display:inline-block;height:9px;background:#d92d20;vertical-align:middle;margin-right:4px}
.added{background:#ecfdf3}.removed{background:#fef3f2}.changed{background:#fffaeb}
.diverges td{outline:2px solid var(--warning)}
footer{color:var(--muted);font-size:12px;padding:16px 24px}
@media print{
  body{background:#fff;font-size:11pt}header.report{background:none;color:#000;border-bottom:2px solid #000;padding:0 0 6px}
  header.report .meta{color:#333}main{padding:0;max-width:none}pre{white-space:pre-wrap}
  article.finding,table.plan tr,.picture{break-inside:avoid}h2{break-after:avoid}
}
`;

/** The whole page as one string. */
export function htmlPage(shell: PageShell): string {
  const written = (shell.now ?? new Date())
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
  const meta = [
    shell.subject,
    shell.server ?? null,
    shell.capturedAt ? `captured ${shell.capturedAt}` : null,
    `written ${written} by dbopt ${DBOPT_VERSION}`,
  ].filter((m): m is string => Boolean(m));
  const notes = shell.notes?.length
    ? html`<ul class="notes" id="notes">${shell.notes.map((n) => html`<li>${n}</li>`)}</ul>`
    : null;
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="generator" content="dbopt ${DBOPT_VERSION}">
<title>${shell.title}: ${shell.subject}</title>
<style>${STYLE_HTML}</style></head>
<body><header class="report"><h1>${shell.title}</h1><div class="meta" id="meta">${meta.join(" · ")}</div></header>
<main>
<table class="summary" id="summary"><tbody>${shell.summary.map(([name, value]) => html`<tr><th>${name}</th><td>${value}</td></tr>`)}</tbody></table>
${notes}
${shell.body}
</main>
<footer>dbopt ${DBOPT_VERSION}: a self-contained report; it loads nothing from the network.</footer>
</body></html>
`;
  return htmlText(page);
}

// The style sheet is dbopt's own text: placed as markup, not escaped (quotes in font names must stay quotes).
const STYLE_HTML = trustedMarkup(STYLE);
