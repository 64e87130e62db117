import { InputError } from "../util/input-error.js";

/** A flag's value as a whole number ≥ 1, or a one-line error naming the flag. */
export function positiveInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InputError(`${flag} ${value} is not a positive whole number`, `e.g. ${flag} 10`);
  return n;
}
