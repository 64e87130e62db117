/**
 * SARIF 2.1.0 (the format GitHub code scanning and other tools read) for any report whose findings carry a file
 * location: the rules that could fire, as the tool's rule list, and one result per finding.
 */
import type { Finding, Severity } from "../../findings/finding.js";
import { DBOPT_VERSION } from "../../version.js";

/** A rule as SARIF lists it. */
export interface SarifRule {
  id: string;
  /** The rule's short name (its id without the family). */
  name: string;
  title: string;
  description: string;
  docsUrl: string;
  maxSeverity: Severity;
}

const level = (s: Severity) => (s === "info" ? "note" : s);

export function sarifLog(rules: readonly SarifRule[], findings: readonly Finding[]) {
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "dbopt",
            version: DBOPT_VERSION,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.title },
              fullDescription: { text: r.description },
              helpUri: r.docsUrl,
              defaultConfiguration: { level: level(r.maxSeverity) },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          level: level(f.severity),
          message: { text: `${f.title}. ${f.detail}${f.fix?.sql ? ` Fix: ${f.fix.sql}` : ""}` },
          locations: f.location
            ? [
                {
                  physicalLocation: {
                    artifactLocation: { uri: f.location.file.replace(/\\/g, "/") },
                    region: { startLine: f.location.line, startColumn: f.location.column },
                  },
                },
              ]
            : [],
        })),
      },
    ],
  };
}
