/**
 * Finds the plans in cleaned input lines, in one pass: where each text plan starts and ends, where a JSON plan
 * is, and what else the input holds. Nothing is dropped in silence: lines that are neither part of a plan nor
 * the usual company of one (a psql prompt, the echoed statement, a command tag, a comment) become notes.
 */
import { InputError } from "../../util/input-error.js";
import {
  isNodeLine,
  PROP_START,
  SUBPLAN_HEADER,
  SUMMARY_LINE,
  TARGET_LINE,
  TRIGGER_LINE,
  WORKER_LINE,
} from "./explain-text-line.js";
import type { InputLine } from "./pasted-lines.js";

export type PlanSegment =
  | { kind: "text"; lines: InputLine[]; firstLine: number }
  | { kind: "json"; text: string; firstLine: number };

export interface Segmentation {
  segments: PlanSegment[];
  /** What the reader skipped and why, one sentence each. */
  notes: string[];
  /** The first line with content, for the message when there is no plan at all. */
  firstContent: InputLine | null;
}

/**
 * "mydb=# ", "mydb-# ", "mydb(# ", "postgres=> ", "mydb=*# " (psql's default PROMPT1/PROMPT2), with whatever a
 * custom prompt puts before the database name ("[14003](2038152)postgres@db=# "), or a bare "# ".
 */
const PROMPT = /^(?!->)\S*?[=\-('"*^$]?[*!?]?[#>] /;
const SQL_START =
  /^(?:EXPLAIN|SELECT|WITH|INSERT|UPDATE|DELETE|MERGE|VALUES|TABLE|EXECUTE|PREPARE|BEGIN|START|COMMIT|ROLLBACK|END|SET|RESET|SHOW|CREATE|DROP|ALTER|ANALYZE|VACUUM|LOAD|DO|CALL|SAVEPOINT|RELEASE|DEALLOCATE|DISCARD|FROM|WHERE|(?:LEFT |RIGHT |INNER |FULL |CROSS )?JOIN|AND|OR|GROUP BY|ORDER BY|HAVING|LIMIT|OFFSET|UNION|RETURNING|\\\w+)\b/i;
const COMMENT = /^(?:--|\/\*|\*|#)/;
/** Command tags and messages psql prints around results. */
const PSQL_OUTPUT =
  /^(?:BEGIN|COMMIT|ROLLBACK|SET|RESET|SAVEPOINT|RELEASE|PREPARE|DEALLOCATE|DO|LOAD|START TRANSACTION|(?:INSERT \d+|UPDATE|DELETE|MERGE|SELECT|COPY) \d+|(?:CREATE|DROP|ALTER) [A-Z ]+|[\p{L}]+ ?: [\d.,]+ ms(?: \(.*\))?|Timing is (?:on|off)\.|(?:Expanded display|Output format|Border style|Line style|Pager usage) .*|NOTICE: .*|WARNING: .*)$/u;
/** auto_explain's log entry: "duration: 1.234 ms  plan:" after the log line prefix, then "Query Text:". */
const AUTO_EXPLAIN = /(?:duration: [\d.]+ ms\s+plan:|^Query Text: |^Query Parameters: )/;

interface OpenPlan {
  lines: InputLine[];
  rootCol: number;
  /** Whether a child node ("->" line) was read yet. */
  hasChild: boolean;
  /** Parenthesis depth and open quote at the end of the last line, to join lines a terminal wrapped. */
  depth: number;
  quote: string | null;
}

/** Split cleaned lines into plans and notes. Throws on input that cannot be a plan the reader knows. */
export function segmentPlans(lines: InputLine[]): Segmentation {
  const segments: PlanSegment[] = [];
  const notes: string[] = [];
  const garbage: InputLine[] = [];
  let skipped: InputLine[] = [];
  let skippedWithText = 0;
  let skippedFirst: InputLine | null = null;
  // Set when the run of lines outside plans turned out to be a statement with its result table.
  let skippedExplained = false;
  let firstContent: InputLine | null = null;
  let open: OpenPlan | null = null;

  const closePlan = () => {
    if (open) segments.push({ kind: "text", lines: open.lines, firstLine: open.lines[0]?.lineNo ?? 0 });
    open = null;
  };
  const closeSkipped = () => {
    if (skipped.length > 0 && !skippedExplained && !explainable(skipped))
      garbage.push(...skipped.filter((l) => l.text));
    skipped = [];
    skippedWithText = 0;
    skippedFirst = null;
    skippedExplained = false;
  };
  const skip = (line: InputLine) => {
    skipped.push(line);
    if (line.text) {
      skippedWithText++;
      skippedFirst ??= line;
    }
  };
  const startPlan = (line: InputLine, col: number) => {
    closeSkipped();
    const plan: OpenPlan = { lines: [line], rootCol: col, hasChild: false, depth: 0, quote: null };
    track(plan, line.text, true);
    open = plan;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as InputLine;
    if (line.end) {
      closePlan();
      // Text right above a rule is a column header (psql wraps a long one onto a second line), below the
      // statement whose result it heads: the rows that follow are that result.
      // (Counted as the lines come, so a long transcript of result tables costs no second pass.)
      const first = skippedFirst as InputLine | null;
      if (first && (skippedWithText <= 2 || isCompany(first.text))) skippedExplained = true;
      continue;
    }
    const content = line.text;
    if (!content) continue;
    firstContent ??= line;
    const col = line.indent;
    const plan = open as OpenPlan | null;

    if (plan) {
      const last = plan.lines[plan.lines.length - 1] as InputLine;
      const unfinished = plan.depth > 0 || plan.quote !== null || /,\s*$/.test(last.text);
      const continues = (unfinished && !startsAnew(content)) || restOfNodeLine(last, content);
      if (continues) {
        joinToLast(plan, line, content);
        continue;
      }
      if (col <= plan.rootCol && content.startsWith("->") && rootLostItsOffset(plan, lines, i)) {
        // The root was pasted at its first child's column (its leading spaces cut by the selection):
        // the root moves left of it, so the tree reads as it was printed.
        const root = plan.lines[0] as InputLine;
        plan.lines[0] = { ...root, indent: col - 1 };
        plan.rootCol = col - 1;
      }
      if (col > plan.rootCol) {
        if (content.startsWith("->")) plan.hasChild = true;
        plan.lines.push(line);
        track(plan, content, true);
        continue;
      }
      if (content.startsWith("->")) {
        throw new InputError(
          `line ${line.lineNo}: a plan node ("->") at the plan's left margin: the indentation that shows the tree was lost`,
          "paste the plan with its leading spaces (save EXPLAIN's output to a file, or copy it from psql)",
        );
      }
      if (SUMMARY_LINE.test(content) || TRIGGER_LINE.test(content)) {
        plan.lines.push(line);
        track(plan, content, true);
        continue;
      }
      if (isNodeLine(content)) {
        closePlan();
        startPlan(line, col);
        continue;
      }
      if (isCompany(content)) {
        closePlan();
        skip(line);
        continue;
      }
      garbage.push(line);
      continue;
    }

    if (/^\[\s*(?:\{|\[|$)|^\{\s*(?:"|$)/.test(content)) {
      closeSkipped();
      const region = readJsonRegion(lines, i);
      segments.push({ kind: "json", text: region.text, firstLine: line.lineNo });
      const last = lines[region.lastIndex] as InputLine;
      if (region.rest) garbage.push({ ...last, text: region.rest });
      i = region.lastIndex;
      continue;
    }
    if (/^<explain\b|^<\?xml/i.test(content) || /^- Plan:/.test(content)) {
      throw new InputError(
        `line ${line.lineNo}: XML and YAML plans are not supported`,
        "run EXPLAIN with FORMAT TEXT or FORMAT JSON",
      );
    }
    if (isNodeLine(content)) {
      startPlan(line, col);
      continue;
    }
    const wrapped = readWrappedNodeLine(lines, i);
    if (wrapped) {
      startPlan(wrapped.line, col);
      i = wrapped.lastIndex;
      continue;
    }
    skip(line);
  }
  closePlan();
  closeSkipped();
  if (garbage.length > 0) notes.push(describeSkipped(garbage));
  return { segments, notes, firstContent };
}

/**
 * A plan's first line that a terminal or mail client broke: "Sort  (cost=1.00..2.00 rows=3 wid" + "th=4)".
 * Joined while a parenthesis stays open, for a few lines at most.
 */
function readWrappedNodeLine(lines: InputLine[], i: number): { line: InputLine; lastIndex: number } | null {
  const line = lines[i] as InputLine;
  if (!/^(?:->\s*)?[A-Z][\w ]*\S\s+\(/.test(line.text)) return null;
  const plan: OpenPlan = { lines: [line], rootCol: 0, hasChild: false, depth: 0, quote: null };
  track(plan, line.text, true);
  for (let k = i + 1; k < lines.length && k <= i + 8 && plan.depth > 0; k++) {
    const next = lines[k] as InputLine;
    const content = next.text;
    if (next.end || !content || startsAnew(content)) return null;
    joinToLast(plan, next, content);
    if (plan.depth === 0) {
      const joined = plan.lines[0] as InputLine;
      return isNodeLine(joined.text) ? { line: joined, lastIndex: k } : null;
    }
  }
  return null;
}

/** A line that cannot be the rest of the line before it. */
function startsAnew(content: string): boolean {
  return (
    content.startsWith("->") ||
    (/^[A-Z]/.test(content) && /\s\((?:cost=|actual |never executed\))/.test(content)) ||
    SUBPLAN_HEADER.test(content) ||
    WORKER_LINE.test(content) ||
    PROP_START.test(content) ||
    TRIGGER_LINE.test(content) ||
    SUMMARY_LINE.test(content) ||
    TARGET_LINE.test(content)
  );
}

/** Lines a terminal or mail client broke in two are joined back while a parenthesis or quote is open. */
function joinToLast(plan: OpenPlan, line: InputLine, content: string): void {
  const last = plan.lines[plan.lines.length - 1] as InputLine;
  // A space at the break (the end of one piece or the start of the next) was a space in the line.
  const joined = line.indent > 0 || last.gap ? ` ${content}` : content;
  plan.lines[plan.lines.length - 1] = { ...last, text: last.text + joined, gap: line.gap };
  track(plan, joined, false);
}

/**
 * A node line broken before its estimates: "->  Index Scan using pk on pgbench_bra" + "nches b  (cost=...)", or
 * "...on pgbench_branches" + "(cost=...)". The piece has the estimates the line before lacks.
 */
function restOfNodeLine(last: InputLine, content: string): boolean {
  const previous = last.text;
  if (!previous.startsWith("->") || /\((?:cost=|actual |never executed\))/.test(previous)) return false;
  if (!/(?:^|\s)\((?:cost=|actual |never executed\))/.test(content)) return false;
  return content.startsWith("(") || !startsAnew(content);
}

/** Carry the open-parenthesis depth and quote state over a piece of text. */
/**
 * A first "->" at the root's column is the root's child when the next "->" is deeper than it: only the root
 * lost its offset. When the next one is at the same column too, the indentation was lost altogether.
 */
function rootLostItsOffset(plan: OpenPlan, lines: InputLine[], at: number): boolean {
  if (plan.hasChild) return false;
  const col = (lines[at] as InputLine).indent;
  for (let j = at + 1; j < lines.length; j++) {
    const next = lines[j] as InputLine;
    if (next.end) break;
    if (next.text.startsWith("->")) return next.indent > col;
  }
  return true;
}

function track(plan: OpenPlan, text: string, fresh: boolean): void {
  let depth = fresh ? 0 : plan.depth;
  let quote = fresh ? null : plan.quote;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")") depth = Math.max(0, depth - 1);
  }
  plan.depth = depth;
  plan.quote = quote;
}

/** What usually surrounds a plan in a psql session or a log: the statement, a prompt, a tag, a comment. */
function isCompany(content: string): boolean {
  return (
    PROMPT.test(content) ||
    SQL_START.test(content) ||
    COMMENT.test(content) ||
    PSQL_OUTPUT.test(content) ||
    AUTO_EXPLAIN.test(content)
  );
}

/** Lines outside any plan need no note when they are a statement, a psql session's talk or a log entry's head. */
function explainable(run: InputLine[]): boolean {
  const first = run.find((l) => l.text);
  if (!first) return true;
  if (isCompany(first.text)) return true;
  return run.every((l) => !l.text || isCompany(l.text));
}

function describeSkipped(lines: InputLine[]): string {
  const first = lines[0] as InputLine;
  const sample = first.text.slice(0, 60);
  const count = lines.length;
  return count === 1
    ? `skipped line ${first.lineNo}, which is not part of a plan: "${sample}"`
    : `skipped ${count.toLocaleString("en-US")} lines that are not part of a plan, the first at line ${first.lineNo}: "${sample}"`;
}

/**
 * The JSON value that starts at lines[start]: brackets counted outside strings, so it ends where it closes.
 * A value that never closes runs to the end (and fails to parse as truncated).
 */
function readJsonRegion(
  lines: InputLine[],
  start: number,
): { text: string; lastIndex: number; rest: string } {
  let depth = 0;
  let inString = false;
  let escaped = false;
  const parts: string[] = [];
  for (let k = start; k < lines.length; k++) {
    const text = (lines[k] as InputLine).text;
    for (let c = 0; c < text.length; c++) {
      const ch = text[c];
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === "\\") escaped = true;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === "[" || ch === "{") depth++;
      else if (ch === "]" || ch === "}") {
        depth--;
        if (depth === 0) {
          parts.push(text.slice(0, c + 1));
          // What follows the value on its line (psql's "+" marks are gone by now; a separator is no loss).
          const rest = text.slice(c + 1).trim();
          return { text: parts.join("\n"), lastIndex: k, rest: /^[,;]?$/.test(rest) ? "" : rest };
        }
      }
    }
    parts.push(text);
  }
  return { text: parts.join("\n"), lastIndex: lines.length - 1, rest: "" };
}
