/**
 * A logs report with the secrets of its statement texts hidden (util/secret-sql-text.ts): the slowest call's text
 * and bound parameters, an error's or a temporary file's statement, an auto_explain plan's query text and the
 * N+1 runs' parameters. Logs hold statements as they ran, so an ALTER ROLE ... PASSWORD '...', a pgcrypto key or a
 * dblink connection string would otherwise reach the terminal, JSON and HTML reports.
 */
import { findSecrets, redactParameters, type SecretDialect } from "../util/secret-sql-text.js";
import { loadSqlParser } from "../util/sql-parser.js";
import type { LogReport } from "./analyze-logs.js";

export async function withoutLogSecrets(report: LogReport): Promise<LogReport> {
  // Loaded by the log reading already; the texts are judged from its trees.
  await loadSqlParser();
  const dialect: SecretDialect =
    report.files.length > 0 && report.files.every((f) => f.format === "mysql-slow") ? "mysql" : "postgres";
  const hide = (text: string) => findSecrets(text, dialect);
  const hideText = <T extends string | null>(text: T): T => (text === null ? text : (hide(text).text as T));
  return {
    ...report,
    statements: report.statements.map((s) => {
      const query = hide(s.query);
      const example = hide(s.example.sql);
      // The normalised text tells a secret bound as a parameter ($1 of ALTER ROLE ... PASSWORD $1) too.
      const secret = query.secret || example.secret;
      return {
        ...s,
        query: query.text,
        example: {
          ...s.example,
          sql: example.text,
          parameters:
            secret && s.example.parameters !== null
              ? redactParameters(s.example.parameters)
              : s.example.parameters,
        },
      };
    }),
    nPlusOne: report.nPlusOne.map((n) => {
      const repeated = hide(n.repeated.query);
      return {
        ...n,
        source: { ...n.source, query: hide(n.source.query).text },
        repeated: { ...n.repeated, query: repeated.text },
        exampleParameters: repeated.secret ? n.exampleParameters.map(redactParameters) : n.exampleParameters,
      };
    }),
    events: {
      ...report.events,
      errors: report.events.errors.map((e) => ({ ...e, example: hideText(e.example) })),
      tempFiles: { ...report.events.tempFiles, example: hideText(report.events.tempFiles.example) },
    },
    slowestPlans: report.slowestPlans.map((p) => ({ ...p, sql: hideText(p.sql) })),
  };
}
