/**
 * The database sessions dbopt has open, each with a way to cancel what it is running. Ctrl-C on a command without
 * its own interrupt handling (explain --analyze, analyze, rewrite, ...) ends the process, and a server does not
 * notice a client that left until its statement sends rows: an EXPLAIN ANALYZE, or an UPDATE it holds row locks
 * for, would run on until statement_timeout. The CLI cancels these first. No imports: main.ts loads it up front.
 */
export interface OpenSession {
  /** Cancel the statement the session is running, from another session; resolves false when that fails. */
  cancel(): Promise<boolean>;
}

const open = new Set<OpenSession>();

export function sessionOpened(session: OpenSession): void {
  open.add(session);
}

export function sessionClosed(session: OpenSession): void {
  open.delete(session);
}

/** Cancel what every open session runs; resolves with how many were open and how many cancels failed. */
export async function cancelOpenSessions(): Promise<{ open: number; failed: number }> {
  const results = await Promise.all([...open].map((s) => s.cancel().catch(() => false)));
  return { open: results.length, failed: results.filter((ok) => !ok).length };
}
