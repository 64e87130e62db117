/** Every query rewrite rule (issue #14), sorted by id; `dbopt rewrite` runs them all on each statement. */
import { coalesceEquality } from "./coalesce-equality.js";
import { countDistinctSubquery } from "./count-distinct-subquery.js";
import { countToExists } from "./count-to-exists.js";
import { cteMaterialized } from "./cte-materialized.js";
import { distinctJoinToExists } from "./distinct-join-to-exists.js";
import { distinctLooseIndexScan } from "./distinct-loose-index-scan.js";
import { groupMinMaxLooseScan } from "./group-min-max-loose-scan.js";
import { inDistinctToExists } from "./in-distinct-to-exists.js";
import { notDistinctToEquality } from "./not-distinct-to-equality.js";
import { notInToNotExists } from "./not-in-to-not-exists.js";
import { offsetToKeyset } from "./offset-to-keyset.js";
import { orToUnionAll } from "./or-to-union-all.js";
import { repeatedSubqueryToCte } from "./repeated-subquery-to-cte.js";
import type { RewriteRule } from "./rewrite-rule.js";
import { sargableArithmetic } from "./sargable-arithmetic.js";
import { sargableCast } from "./sargable-cast.js";
import { sargableDateFunction } from "./sargable-date-function.js";
import { scalarSubqueryToLateral } from "./scalar-subquery-to-lateral.js";
import { unionToUnionAll } from "./union-to-union-all.js";
import { windowFilterPushdown } from "./window-filter-pushdown.js";

export const REWRITE_RULES: RewriteRule[] = [
  coalesceEquality,
  countDistinctSubquery,
  countToExists,
  cteMaterialized,
  distinctJoinToExists,
  distinctLooseIndexScan,
  groupMinMaxLooseScan,
  inDistinctToExists,
  notDistinctToEquality,
  notInToNotExists,
  offsetToKeyset,
  orToUnionAll,
  repeatedSubqueryToCte,
  sargableArithmetic,
  sargableCast,
  sargableDateFunction,
  scalarSubqueryToLateral,
  unionToUnionAll,
  windowFilterPushdown,
];
