/**
 * A timing claim ("B is faster than A") judged on a loaded machine. CI runs two test files at once beside servers,
 * sandboxes and benchmarks: one stall during B's runs can make a true claim look false. So the measurement is
 * taken again, a bounded number of times, until the claim holds. A false claim fails every attempt, so the test
 * can still fail; a true one upset by a stall passes on a later attempt.
 */
export interface RetriedMeasurement<T> {
  /** The first attempt for which the claim held, else the last one. */
  result: T;
  /** Every attempt, in order (for the failure message). */
  attempts: T[];
}

export async function measureUntil<T>(
  maxAttempts: number,
  measure: () => Promise<T>,
  holds: (result: T) => boolean,
): Promise<RetriedMeasurement<T>> {
  const attempts: T[] = [];
  for (let i = 0; i < maxAttempts; i++) {
    const result = await measure();
    attempts.push(result);
    if (holds(result)) return { result, attempts };
  }
  return { result: attempts.at(-1) as T, attempts };
}
