import type { Finding } from "../../findings/finding.js";

/** "3 (1 error, 2 warnings)", or "none". */
export function severityCounts(findings: Array<Pick<Finding, "severity">>): string {
  if (!findings.length) return "none";
  const count = (s: Finding["severity"]) => findings.filter((f) => f.severity === s).length;
  const parts = [
    [count("error"), "error"],
    [count("warning"), "warning"],
    [count("info"), "info"],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, word]) => `${n} ${word}${n === 1 || word === "info" ? "" : "s"}`);
  return `${findings.length} (${parts.join(", ")})`;
}
