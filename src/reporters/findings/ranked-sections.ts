/** The ranked findings cut into their sections (findings/ranking.ts), and what each costs, for every reporter. */

import type { Finding, Section } from "../../findings/finding.js";
import { SECTION_ORDER, SECTION_TITLES, sectionOf } from "../../findings/ranking.js";
import { formatMs, formatPercent } from "../../util/format.js";

export interface RankedSection {
  section: Section;
  title: string;
  /** Each finding with its place in the whole ranked list (1-based). */
  findings: Array<{ n: number; f: Finding }>;
}

/** Sections in ranking order, empty ones left out; findings keep the order and numbers of the whole list. */
export function rankedSections(findings: Finding[]): RankedSection[] {
  const sections = new Map<Section, RankedSection>();
  findings.forEach((f, i) => {
    const section = f.section ?? sectionOf(f);
    const entry = sections.get(section) ?? { section, title: SECTION_TITLES[section], findings: [] };
    sections.set(section, entry);
    entry.findings.push({ n: i + 1, f });
  });
  return [...sections.values()].sort((a, b) => SECTION_ORDER[a.section] - SECTION_ORDER[b.section]);
}

/** "2.31 s (19.0%)", "35% of the plan's cost", or null when nothing measured it. */
export function costOf(f: Finding): string | null {
  if (f.timeMs !== undefined && f.timeMs > 0)
    return `${formatMs(f.timeMs)}${f.timeShare !== undefined ? ` (${formatPercent(f.timeShare, 1)})` : ""}`;
  if (f.costShare !== undefined && f.costShare > 0) return `${formatPercent(f.costShare)} of the plan's cost`;
  return null;
}

/** The first statement of a fix's SQL, shortened, for one-line summaries, and how many statements follow it. */
export function fixHeadline(f: Finding, max = 90): { text: string; more: number } | null {
  const sql = f.fix?.sql;
  if (!sql) return null;
  const statements = sql.split("\n").filter((l) => l.trim() && !l.trim().startsWith("--"));
  const first = (statements[0] ?? "").replace(/\s+/g, " ");
  return { text: first.length > max ? `${first.slice(0, max - 3)}...` : first, more: statements.length - 1 };
}
