/**
 * Migration runners that keep both directions in one .sql file, marked by comments: goose (`-- +goose Up`,
 * `-- +goose Down`, `-- +goose NO TRANSACTION`), sql-migrate (`-- +migrate Up [notransaction]`, `-- +migrate Down`)
 * and dbmate (`-- migrate:up [transaction:false]`, `-- migrate:down`). Only the up part runs when the migration is
 * applied; each of these runners wraps it in a transaction unless the file says otherwise.
 */

const UP = /^\s*--\s*(?:\+goose\s+up|\+migrate\s+up|migrate:\s*up)\b(.*)$/i;
const DOWN = /^\s*--\s*(?:\+goose\s+down|\+migrate\s+down|migrate:\s*down)\b/i;
const NO_TRANSACTION = /^\s*--\s*(?:\+goose\s+no\s+transaction|migrate:\s*no-transaction)\b/im;

export interface RunnerSections {
  /** The text with every down part blanked out (newlines kept, so lines and columns stay those of the file). */
  text: string;
  /** Whether the runner wraps the up part in a transaction; null when the file has no runner markers. */
  inTransaction: boolean | null;
}

export function runnerSections(text: string): RunnerSections {
  if (!/^\s*--\s*(?:\+goose|\+migrate|migrate:)/im.test(text)) return { text, inTransaction: null };
  let marked = false;
  let noTransaction = NO_TRANSACTION.test(text);
  let down = false;
  const lines = text.split("\n").map((line) => {
    const up = UP.exec(line);
    if (up) {
      marked = true;
      down = false;
      if (/\bnotransaction\b|\btransaction:\s*false\b/i.test(up[1] ?? "")) noTransaction = true;
      return line;
    }
    if (DOWN.test(line)) {
      marked = true;
      down = true;
      return line;
    }
    // Blanked, not removed: positions after it stay right. A line's \r stays too.
    return down ? line.replace(/[^\r]/g, " ") : line;
  });
  if (!marked) return { text, inTransaction: null };
  return { text: lines.join("\n"), inTransaction: !noTransaction };
}
