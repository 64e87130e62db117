export const EXIT = {
  ok: 0,
  /** --fail-on met: findings at or above the given severity. */
  findings: 1,
  usage: 2,
  connection: 3,
  internal: 4,
} as const;
