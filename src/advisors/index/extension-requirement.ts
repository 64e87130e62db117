/** What a candidate needs of an extension (pg_trgm for trigram GIN), said in its reason and its recommendation. */
import { checkSql, ident, sql } from "../../util/sql-text.js";
import type { ExtensionRequirement, ExtensionState } from "./advice-report.js";
import type { IndexCandidate } from "./index-candidate.js";

export function extensionState(
  c: IndexCandidate,
  extensions: Record<string, ExtensionState> | undefined,
): ExtensionState {
  return c.requires ? (extensions?.[c.requires] ?? "unknown") : "installed";
}

/** The candidate's reason, saying which extension it needs and whether it must be installed first. */
export function withRequirement(
  c: IndexCandidate,
  extensions: Record<string, ExtensionState> | undefined,
): IndexCandidate {
  if (!c.requires) return c;
  const state = extensionState(c, extensions);
  const install = `CREATE EXTENSION IF NOT EXISTS ${c.requires};`;
  const needs = {
    installed: `uses the ${c.requires} extension, installed in this database`,
    available: `needs the ${c.requires} extension, available on this server but not installed in this database: run ${install} first`,
    missing: `needs the ${c.requires} extension, which this server does not have`,
    unknown: `needs the ${c.requires} extension: run ${install} first`,
  }[state];
  return { ...c, reason: `${c.reason}; ${needs}` };
}

/** The recommendation's `requires` field: the extension, its state and the CREATE EXTENSION to run. */
export function requirementOf(
  c: IndexCandidate,
  extensions: Record<string, ExtensionState> | undefined,
): { requires?: ExtensionRequirement } {
  if (!c.requires) return {};
  const ddl = checkSql(sql`CREATE EXTENSION IF NOT EXISTS ${ident(c.requires)};`, 1);
  return { requires: { extension: c.requires, state: extensionState(c, extensions), ddl } };
}
