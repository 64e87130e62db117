import { InputError } from "../util/input-error.js";

/** "30s", "500ms", "2min", "1h" or plain milliseconds → milliseconds. */
export function parseDuration(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?$/i.exec(text.trim());
  if (!m) throw new InputError(`${option} ${text} is not a duration`, `write it like 30s, 500ms or 2min`);
  const unit = (m[2] ?? "ms").toLowerCase();
  const factor =
    unit === "ms" ? 1 : unit === "s" || unit === "sec" ? 1000 : unit === "h" ? 3_600_000 : 60_000;
  return Math.round(Number(m[1]) * factor);
}
