/**
 * One transaction block for every dbopt session: `begin` (BEGIN with its options), the work, COMMIT; on an error
 * ROLLBACK (its own failure ignored: the session may be gone) and the error rethrown. The read-only connector and
 * the history store's writer session both use it.
 */
export async function inTransactionBlock<T>(
  run: (sql: string) => Promise<unknown>,
  begin: string,
  work: () => Promise<T>,
): Promise<T> {
  await run(begin);
  try {
    const out = await work();
    await run("COMMIT");
    return out;
  } catch (error) {
    await run("ROLLBACK").catch(() => {});
    throw error;
  }
}
