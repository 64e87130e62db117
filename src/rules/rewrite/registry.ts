/** Every query rewrite rule (issue #14), sorted by id; `dbopt rewrite` runs them all on each statement. */
import { coalesceEquality } from "./coalesce-equality.js";
import { notInToNotExists } from "./not-in-to-not-exists.js";
import type { RewriteRule } from "./rewrite-rule.js";
import { sargableCast } from "./sargable-cast.js";

export const REWRITE_RULES: RewriteRule[] = [coalesceEquality, notInToNotExists, sargableCast];
