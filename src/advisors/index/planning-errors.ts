/**
 * What the planner said, in the user's words: dbopt's own machinery (the prepared statements it plans
 * parameterised statements with, the hypothetical index it made of a candidate) is not the user's to decode.
 * The server's message stays for the cases it already says well (permission denied, lock timeout).
 */
export interface PlanningProblem {
  why: string;
  hint: string | null;
}

export function statementProblem(message: string, hint: string | null): PlanningProblem {
  const param = /could not determine data type of parameter \$(\d+)/.exec(message);
  if (param)
    return {
      why: `PostgreSQL cannot tell the type of its parameter $${param[1]} (it is compared with no column)`,
      hint: "give the statement with a value in place of the parameter, in a --workload file",
    };
  if (/wrong number of parameters for prepared statement/.test(message))
    return {
      why: "it was planned without values for its parameters, and PostgreSQL counted them differently",
      hint: "give the statement with values in place of its $n parameters, in a --workload file",
    };
  if (/prepared statement "dbopt_[^"]*" (does not exist|already exists)/.test(message))
    return {
      why: "the session lost what dbopt prepared to plan the statement without values (a pooler in transaction mode does that)",
      hint: "connect directly, or through a session-mode pool",
    };
  const alias = /missing FROM-clause entry for table "([^"]+)"/.exec(message);
  if (alias)
    return {
      why: `it names "${alias[1]}", which is not a table or alias of its FROM list`,
      hint: "fix the statement in the workload",
    };
  return { why: message, hint };
}

/** Why a candidate index could not be measured, for the note that says it was left out. */
export function candidateProblem(message: string): string {
  const alias = /missing FROM-clause entry for table "([^"]+)"/.exec(message);
  if (alias)
    return `its expression still names the statement's alias "${alias[1]}", which an index cannot hold`;
  if (/prepared statement "dbopt_[^"]*"|wrong number of parameters/.test(message))
    return "a statement it serves could not be planned without values for its parameters";
  // HypoPG prefixes its own errors with "hypopg: "; the server's CREATE INDEX says the same without it.
  if (/functions in index expression must be marked IMMUTABLE/.test(message))
    return "its expression can give another result for the same row (date_trunc or a cast on a timestamptz depends on the TimeZone setting), so PostgreSQL cannot index it; compare the column itself with a range instead (col >= day AND col < day + 1), which an index on the column serves";
  if (/operator class "gin_trgm_ops" does not exist/.test(message))
    return "the pg_trgm extension it needs is not installed (CREATE EXTENSION pg_trgm;)";
  return message.replace(/^hypopg: /, "");
}
