/**
 * The batched rewrite of each pattern a unit of work found: the N+1 rule's own (rules/workload/
 * batched-statement-shape.ts, built on the parse tree). The parser is loaded only when a pattern is found, so an
 * application that has none never loads it, and a disabled guard never gets here.
 */
import type { SqlDialect } from "../facts/logs/n-plus-one.js";
import type { RuntimeNPlusOne } from "./unit-of-work.js";

export async function withRewrites(
  patterns: RuntimeNPlusOne[],
  dialect: SqlDialect,
): Promise<RuntimeNPlusOne[]> {
  if (patterns.length === 0) return patterns;
  const [{ loadSqlParser }, { batchedStatement }, { numberQuestionMarks }] = await Promise.all([
    import("../util/sql-parser.js"),
    import("../rules/workload/batched-statement-shape.js"),
    import("../facts/traces/trace-n-plus-one.js"),
  ]);
  await loadSqlParser();
  return patterns.map((p) => {
    const rewrite = batchedStatement(numberQuestionMarks(p.repeated), dialect);
    const text =
      rewrite === null ? null : dialect === "mysql" ? rewrite.text.replace(/\$\d+/g, "?") : rewrite.text;
    return { ...p, rewrite: text };
  });
}
