/**
 * One item per fix: findings whose fixes build the same index (compared by meaning, index-shape.ts), or whose
 * fixes are the same text, become one finding that lists the others under alsoFixes. When one index's keys lead
 * another's on the same table, the wider index serves both, and the merged item proposes the wider one.
 */

import type { AlsoFixed, Finding, Fix } from "./finding.js";
import { SEVERITY_ORDER } from "./finding.js";
import { type IndexShape, indexShape, sameIndex, servesAsWell } from "./index-shape.js";

interface Group {
  shape: IndexShape | null;
  /** The fix every member gets: the widest index's, or the shared text. */
  fix: Fix;
  members: Finding[];
}

export function mergeFindings(findings: Finding[]): Finding[] {
  const shapes = new Map<Finding, IndexShape | null>();
  for (const f of findings) shapes.set(f, f.fix?.sql ? indexShape(f.fix.sql) : null);
  const width = (f: Finding) => shapes.get(f)?.keys.length ?? 0;
  // Widest first: a narrower index then joins the group of a wider one that serves it.
  const ordered = [...findings].sort((a, b) => width(b) - width(a));
  const groups: Group[] = [];
  const byText = new Map<string, Group>();
  const unfixed: Finding[] = [];
  for (const f of ordered) {
    const text = f.fix?.sql;
    if (!text || !f.fix) {
      unfixed.push(f);
      continue;
    }
    const shape = shapes.get(f) ?? null;
    let group: Group | undefined;
    if (shape) {
      group = groups
        .filter((g) => g.shape && servesAsWell(g.shape, shape))
        .sort((a, b) => timeOf(b.members) - timeOf(a.members))[0];
    } else group = byText.get(text);
    if (group) group.members.push(f);
    else {
      group = { shape, fix: f.fix, members: [f] };
      groups.push(group);
      if (!shape) byText.set(text, group);
    }
  }
  return [...unfixed, ...groups.map(mergedItem)];
}

function mergedItem(group: Group): Finding {
  const { members } = group;
  const [first] = members;
  if (!first) throw new Error("a merge group is never empty");
  if (members.length === 1) return first;
  const primary = members.reduce((best, f) => (better(f, best) ? f : best), first);
  const others = members
    .filter((f) => f !== primary)
    .sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
  const time = members.some((f) => f.timeMs !== undefined) ? timeOf(members) : undefined;
  const queries = new Set(members.map((f) => f.query).filter((q) => q !== undefined));
  // The primary's own text when it builds the group's index (its name and CONCURRENTLY), else the wider one's.
  const primaryShape = primary.fix?.sql ? indexShape(primary.fix.sql) : null;
  const fix =
    primary.fix && (!group.shape || (primaryShape && sameIndex(primaryShape, group.shape)))
      ? primary.fix
      : group.fix;
  const narrower = group.shape
    ? members.filter((f) => {
        const shape = f.fix?.sql ? indexShape(f.fix.sql) : null;
        return shape && group.shape && !sameIndex(shape, group.shape);
      })
    : [];
  return {
    ...primary,
    severity: members.reduce(
      (s, f) => (SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[s] ? f.severity : s),
      primary.severity,
    ),
    ...(time !== undefined ? { timeMs: time } : {}),
    impact: members.filter((f) => f.ruleId === primary.ruleId).reduce((sum, f) => sum + f.impact, 0),
    evidence: { ...primary.evidence, ...(queries.size > 1 ? { statements: queries.size } : {}) },
    fix: {
      ...fix,
      note: narrower.length
        ? `${fix.note} It also serves what ${[...new Set(narrower.map((f) => f.ruleId))].join(", ")} proposed a narrower index for (its keys lead this one's): build this one instead of both.`
        : fix.note,
    },
    objects: [...new Set(members.flatMap((f) => f.objects ?? []))],
    alsoFixes: [...(primary.alsoFixes ?? []), ...others.flatMap(alsoFixed)],
  };
}

/** The one to show: the most time, then the most severe, then the largest by its rule's measure. */
function better(a: Finding, b: Finding): boolean {
  return (
    ((a.timeMs ?? 0) - (b.timeMs ?? 0) ||
      SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] ||
      (a.ruleId === b.ruleId ? a.impact - b.impact : 0)) > 0
  );
}

/** A finding and whatever was already merged into it, as "also fixes" entries. */
export function alsoFixed(f: Finding): AlsoFixed[] {
  const own: AlsoFixed = {
    ruleId: f.ruleId,
    severity: f.severity,
    title: f.title,
    ...(f.timeMs !== undefined ? { timeMs: f.timeMs } : {}),
    ...(f.query !== undefined ? { query: f.query } : {}),
  };
  return [own, ...(f.alsoFixes ?? [])];
}

/** Time the members account for: two findings on the same plan node of one statement are the same time. */
function timeOf(members: Finding[]): number {
  const byPlace = new Map<string, number>();
  let loose = 0;
  for (const f of members) {
    const ms = f.timeMs ?? 0;
    if (f.query === undefined || f.nodeId === undefined) loose += ms;
    else {
      const place = `${f.query}\u0000${f.nodeId}`;
      byPlace.set(place, Math.max(byPlace.get(place) ?? 0, ms));
    }
  }
  return loose + [...byPlace.values()].reduce((a, b) => a + b, 0);
}
