/**
 * The rules that read what logs and traces show (dbopt logs, dbopt traces), in a module of their own so the log
 * reader loads them without the whole registry (a tenth of a second of module loading per run). registry.ts
 * re-exports the list, so it is still the one place every rule is listed.
 */
import type { Rule } from "./rule.js";
import { nPlusOne } from "./workload/n-plus-one.js";
import type { NPlusOneFacts } from "./workload/n-plus-one-facts.js";

// biome-ignore lint/suspicious/noExplicitAny: rules differ in their option shapes; each checks its own.
export const LOG_RULES: readonly Rule<NPlusOneFacts, any>[] = [nPlusOne];
