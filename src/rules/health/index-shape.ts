/**
 * The parts of an index definition that decide what it can serve, read from pg_get_indexdef: method, key items
 * (with their ordering and operator class, which pg_get_indexdef(oid, n) leaves out), INCLUDE columns, predicate.
 */
import type { IndexFacts } from "../../facts/snapshot.js";
import { splitTopLevel } from "../../util/split-top-level.js";

export interface IndexShape {
  method: string;
  keys: string[];
  include: string[];
  /** Everything after the column lists: NULLS NOT DISTINCT, WITH (...), WHERE (...). */
  rest: string;
}

export function indexShape(index: IndexFacts): IndexShape {
  const def = index.definition;
  const using = usingAt(def);
  const open = def.indexOf("(", using);
  const close = matchingParen(def, open);
  const keys = splitTopLevel(def.slice(open + 1, close));
  let rest = def.slice(close + 1).trim();
  let include: string[] = [];
  if (rest.startsWith("INCLUDE (")) {
    const end = matchingParen(rest, rest.indexOf("("));
    include = splitTopLevel(rest.slice(rest.indexOf("(") + 1, end));
    rest = rest.slice(end + 1).trim();
  }
  return { method: index.method, keys, include, rest };
}

/** Same method, keys, INCLUDE and predicate: one of the two indexes is enough. */
export function sameShape(a: IndexShape, b: IndexShape): boolean {
  return (
    a.method === b.method &&
    a.rest === b.rest &&
    same(a.keys, b.keys) &&
    same([...a.include].sort(), [...b.include].sort())
  );
}

/** Index constraints (primary key, unique, exclusion) cannot simply be dropped. */
export function backsConstraint(index: IndexFacts): boolean {
  return index.constraint !== null || index.isPrimary;
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Where " USING " is in a definition, outside quoted names (an index or table may be called "a USING b"). */
function usingAt(def: string): number {
  let quote: string | null = null;
  for (let i = 0; i < def.length; i++) {
    const ch = def[i];
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (def.startsWith(" USING ", i)) return i;
  }
  return -1;
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0) return i;
  }
  return text.length;
}
