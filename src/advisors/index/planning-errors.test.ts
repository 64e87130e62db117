import { describe, expect, it } from "vitest";
import { candidateProblem, statementProblem } from "./planning-errors.js";

describe("planning errors in the user's words", () => {
  it("names what was skipped and why, without dbopt's internal names", () => {
    const lost = statementProblem('prepared statement "dbopt_generic_m1x2" does not exist', null);
    expect(lost.why).not.toMatch(/dbopt_generic/);
    expect(lost.hint).toMatch(/session-mode pool/);
    expect(statementProblem("could not determine data type of parameter $3", null).why).toBe(
      "PostgreSQL cannot tell the type of its parameter $3 (it is compared with no column)",
    );
    expect(candidateProblem('missing FROM-clause entry for table "r"')).toBe(
      'its expression still names the statement\'s alias "r", which an index cannot hold',
    );
    expect(candidateProblem("hypopg: functions in index expression must be marked IMMUTABLE")).toMatch(
      /^its expression can give another result for the same row .*compare the column itself with a range instead/,
    );
    // What the server already says well stays as it is.
    expect(statementProblem("permission denied for table orders", "GRANT SELECT ON orders TO app")).toEqual({
      why: "permission denied for table orders",
      hint: "GRANT SELECT ON orders TO app",
    });
  });
});
