/**
 * Frees pasted EXPLAIN output of what psql, GUI tools and exports put around it, line by line and in time linear
 * in the input: the column header and its rule (ASCII, unicode, double), border-2 frames and DBeaver's `|` cell
 * borders, expanded-mode record lines, psql's newline marks ("+", "↵") and wrapped-format marks (".", "…"),
 * CSV/pgAdmin quoting with `""` escapes, row-count footers in any language and leading tabs. Each line keeps the
 * number it had in the input, so messages can point at it. Lines that were frames become `end` marks: a plan
 * never continues across a header or a footer.
 */

export interface InputLine {
  /** The line without the whitespace around it. */
  text: string;
  /** Column the text starts at (leading tabs expanded to multiples of 8). */
  indent: number;
  /** Whether whitespace followed the text (it matters where a wrapped line is joined back). */
  gap?: boolean;
  /** 1-based line number in the input. */
  lineNo: number;
  /** A header, rule or footer stood here: whatever plan came before ends. */
  end?: boolean;
}

const BARS = new Set(["|", "│", "║", "┃"]);
const RULE = /^[-+=|:─━═┼╪╬├┤╠╣┌┐└┘╔╗╚╝╞╡╟╢┬┴╤╧╦╩│║╫┃ ]+$/;
const RULE_RUN = /[-─═━]{3}/;
const RECORD = /\[ RECORD \d+ \]/;
/** "(3 rows)", "(1 row)", "(3 lignes)", "(1 Zeile)", "(3 filas)", "(2 строки)", "(3 行)". */
const FOOTER = /^\(\d[\d,.\u00a0 ]* [\p{L}\p{M}]+(?: [\p{L}\p{M}]+)?\)$/u;
const HEADER_NAME = /^[|│║]?\s?QUERY PLAN\s?[|│║]?$/i;
const LEADING = /^[ \t]*/;

/**
 * One line: its indentation measured once (a line 30,000 columns deep is scanned once, not by every step that
 * follows) and its text without the whitespace around it.
 */
function makeLine(raw: string, lineNo: number): InputLine {
  // A regular expression scans a long run of spaces faster than a loop over its characters.
  const lead = LEADING.exec(raw)?.[0] ?? "";
  const start = lead.length;
  let col = start;
  if (lead.includes("\t")) {
    col = 0;
    for (let i = 0; i < start; i++) col = lead.charCodeAt(i) === 9 ? (Math.floor(col / 8) + 1) * 8 : col + 1;
  }
  let end = raw.length;
  while (end > start && isSpace(raw.charCodeAt(end - 1))) end--;
  const text = start === 0 && end === raw.length ? raw : raw.slice(start, end);
  return end < raw.length ? { text, indent: col, gap: true, lineNo } : { text, indent: col, lineNo };
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 0xa0;
}

/** The line as it was, indentation included (for the few steps that need the raw columns). */
function lineText(line: InputLine): string {
  return line.indent === 0 ? line.text : " ".repeat(line.indent) + line.text;
}

/** Split input into numbered lines, CRLF/CR tolerated, a byte-order mark dropped, leading tabs expanded. */
export function splitInputLines(input: string): InputLine[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const out: InputLine[] = [];
  let start = 0;
  let lineNo = 1;
  for (;;) {
    const nl = text.indexOf("\n", start);
    let line = nl < 0 ? text.slice(start) : text.slice(start, nl);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line.includes("\r")) {
      // Old Mac line ends inside a line: each part is a line of its own.
      for (const part of line.split("\r")) out.push(makeLine(part, lineNo++));
    } else out.push(makeLine(line, lineNo++));
    if (nl < 0) break;
    start = nl + 1;
  }
  return out;
}

/** Clean pasted plan output: see the module comment. */
export function cleanPastedLines(input: string): InputLine[] {
  let lines = unquoteCsv(splitInputLines(input));
  lines = stripCellBorders(lines);
  lines = stripLineQuotes(lines);
  lines = dropRecordsAndRules(lines);
  lines = joinWrapMarks(lines);
  lines = stripNewlineMarks(lines);
  return lines.map((line) => (FOOTER.test(line.text) ? { ...line, text: "", end: true } : line));
}

/**
 * CSV exports and pgAdmin/DBeaver copies put a line in double quotes when it needs them (always, for some tools),
 * doubling the quotes inside; a JSON plan in one cell spans many lines. A line that opens a quote is a quoted
 * field only if the quote closes (at the end of that line or a later one).
 */
function unquoteCsv(lines: InputLine[]): InputLine[] {
  const out: InputLine[] = [];
  let noCloseFrom = Number.POSITIVE_INFINITY; // no closing quote at or after this index: stop looking
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as InputLine;
    // A quoted field starts in the first column (an indented quote is JSON's, or the plan's own).
    if (line.indent !== 0 || !line.text.startsWith('"') || i >= noCloseFrom) {
      out.push(line);
      continue;
    }
    const field = readQuotedField(lines, i);
    if (field === "unclosed") noCloseFrom = i;
    if (field === null || field === "unclosed") {
      out.push(line);
      continue;
    }
    const parts = field.value.split("\n");
    parts.forEach((part, k) => {
      out.push(makeLine(part, line.lineNo + k));
    });
    i = field.lastIndex;
  }
  return out;
}

/**
 * A CSV field that opens at lines[i]: its value and the index of the line where it closes; "unclosed" when no
 * quote closes it, null when text other than a separator follows the closing quote.
 */
function readQuotedField(
  lines: InputLine[],
  i: number,
): { value: string; lastIndex: number } | "unclosed" | null {
  let value = "";
  let first = true;
  for (let k = i; k < lines.length; k++) {
    const text = first ? (lines[k] as InputLine).text : lineText(lines[k] as InputLine);
    let pos = first ? text.indexOf('"') + 1 : 0;
    if (!first) value += "\n";
    first = false;
    for (;;) {
      const q = text.indexOf('"', pos);
      if (q < 0) {
        value += text.slice(pos);
        break;
      }
      value += text.slice(pos, q);
      if (text[q + 1] === '"') {
        value += '"';
        pos = q + 2;
        continue;
      }
      // The field closes here; only a separator or spaces may follow.
      const rest = text.slice(q + 1).trim();
      if (rest !== "" && rest !== "," && rest !== ";") return null;
      return { value, lastIndex: k };
    }
  }
  return "unclosed";
}

/**
 * Border-2 frames ("| ... |", "│ ... │", "║ ... ║") and DBeaver's cell borders ("|...|" or a trailing "|"):
 * removed when most lines carry them.
 */
function stripCellBorders(lines: InputLine[]): InputLine[] {
  let content = 0;
  let leading = 0;
  let trailing = 0;
  for (const line of lines) {
    const t = line.text;
    if (!t || isRule(t)) continue;
    content++;
    if (BARS.has(t[0] as string)) leading++;
    if (BARS.has(t.at(-1) as string)) trailing++;
  }
  if (content === 0) return lines;
  const stripLeading = leading > content / 2;
  const stripTrailing = trailing > content / 2;
  if (!stripLeading && !stripTrailing) return lines;
  return lines.map((line) => {
    let text = line.text;
    if (!text || isRule(text)) return line;
    const cutLeading = stripLeading && BARS.has(text[0] as string);
    if (cutLeading) text = text.slice(1);
    if (stripTrailing && BARS.has(text.at(-1) as string)) text = text.slice(0, -1);
    // Inside a frame, the columns count from the bar.
    return cutLeading ? makeLine(text, line.lineNo) : { ...line, text: text.trimEnd() };
  });
}

/**
 * Exports that wrap each line in single quotes ('  Sort Key: a', quotes inside doubled), or leave a stray
 * double quote at the end of each line (the closing half of a CSV quote whose opening was cut off).
 */
function stripLineQuotes(lines: InputLine[]): InputLine[] {
  let content = 0;
  let single = 0;
  let trailingDouble = 0;
  for (const line of lines) {
    const t = line.text;
    if (!t) continue;
    content++;
    if (t.length > 1 && t.startsWith("'") && t.endsWith("'")) single++;
    else if (t.endsWith('"') && !t.startsWith('"') && oddQuotes(t)) trailingDouble++;
  }
  if (content === 0) return lines;
  if (single > content / 2) {
    return lines.map((line) => {
      const t = line.text;
      if (!(t.length > 1 && t.startsWith("'") && t.endsWith("'"))) return line;
      return makeLine(t.slice(1, -1).replace(/''/g, "'"), line.lineNo);
    });
  }
  if (trailingDouble > content / 2) {
    return lines.map((line) => {
      const t = line.text;
      if (!(t.endsWith('"') && oddQuotes(t))) return line;
      return { ...line, text: t.slice(0, -1).replace(/""/g, '"').trimEnd() };
    });
  }
  return lines;
}

function oddQuotes(text: string): boolean {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text[i] === '"') n++;
  return n % 2 === 1;
}

function isRule(text: string): boolean {
  return text.length >= 3 && RULE_RUN.test(text) && RULE.test(text);
}

/**
 * Rules and the column header above a rule become `end` marks; expanded mode's "-[ RECORD 1 ]---" lines are
 * dropped and its "QUERY PLAN | " column name taken off each value.
 */
function dropRecordsAndRules(lines: InputLine[]): InputLine[] {
  const expanded = lines.some((line) => line.text.includes("[ RECORD ") && RECORD.test(line.text));
  const out: InputLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as InputLine;
    if (expanded && RECORD.test(line.text)) continue;
    if (isRule(line.text)) {
      const previous = out.at(-1);
      const next = lines[i + 1]?.text ?? "";
      if (previous && !previous.end && previous.text && next && !isRule(next) && !FOOTER.test(next))
        out[out.length - 1] = { ...previous, text: "", end: true };
      out.push({ ...line, text: "", end: true });
      continue;
    }
    let current = line;
    if (expanded) {
      const bar = firstBar(line.text);
      if (bar >= 0) current = makeLine(line.text.slice(bar + 1).replace(/^ /, ""), line.lineNo);
    }
    if (HEADER_NAME.test(current.text)) {
      out.push({ ...line, text: "", end: true });
      continue;
    }
    out.push(current);
  }
  return out;
}

function firstBar(text: string): number {
  for (let i = 0; i < text.length; i++) if (BARS.has(text[i] as string)) return i;
  return -1;
}

/**
 * psql's wrapped format cuts long lines at the terminal width, ending the piece with "." (ASCII) or "…"
 * (unicode) and starting the next with the same mark where the cell's padding was.
 */
function joinWrapMarks(lines: InputLine[]): InputLine[] {
  const out: InputLine[] = [];
  for (const line of lines) {
    const previous = out.at(-1);
    const mark = line.indent === 0 ? line.text[0] : undefined;
    if (previous && !previous.end && (mark === "." || mark === "…")) {
      const before = previous.text;
      if (before.endsWith(mark) && before.length > 1 && !(mark === "." && terminalSeam(before, line.text))) {
        out[out.length - 1] = { ...previous, text: before.slice(0, -1) + line.text.slice(1), gap: line.gap };
        continue;
      }
    }
    out.push(line);
  }
  return out;
}

/**
 * A terminal that wrapped "time=7.355..9667.185" between the two dots looks like psql's "." marks; taking the
 * dots away would glue "7.3559667.185", a number with two points. Then the dots are the plan's own.
 */
function terminalSeam(before: string, after: string): boolean {
  const left = /[\d.]*$/.exec(before.slice(0, -1))?.[0] ?? "";
  const right = /^[\d.]*/.exec(after.slice(1))?.[0] ?? "";
  const glued = left + right;
  return !glued.includes("..") && (glued.match(/\./g)?.length ?? 0) >= 2;
}

/**
 * A cell with line breaks (a JSON plan, an auto_explain entry) is printed by psql with "+" (ASCII) or "↵"
 * (unicode) at the end of each line but the last: removed when most lines carry one.
 */
function stripNewlineMarks(lines: InputLine[]): InputLine[] {
  let content = 0;
  let marked = 0;
  for (const line of lines) {
    const t = line.text;
    if (!t) continue;
    content++;
    if (t.endsWith("↵") || t.endsWith("+")) marked++;
  }
  if (marked === 0 || marked < content / 2) return lines;
  return lines.map((line) => {
    const t = line.text;
    // The mark sits in the cell's right padding: right after the text on the widest line.
    if (t.endsWith("↵") || t.endsWith("+")) return { ...line, text: t.slice(0, -1).trimEnd(), gap: false };
    return line;
  });
}
