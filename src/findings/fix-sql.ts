/** Recipes several rules print: a setting changed for the server or for the session. */
import { ident, literal, type SqlText, sql } from "../util/sql-text.js";

/** A setting's value: a number as is, anything else ('64MB', 'on', '5min') as a string constant. */
function settingValue(value: string | number): SqlText {
  return typeof value === "number" ? sql`${value}` : literal(value);
}

/**
 * ALTER SYSTEM SET, then a reload so settings that need none take effect. ALTER SYSTEM cannot run inside a
 * transaction block, so the two are separate statements.
 */
export function alterSystem(name: string, value: string | number, restart = false): SqlText {
  return restart
    ? sql`ALTER SYSTEM SET ${ident(name)} = ${settingValue(value)};  -- takes effect after a restart`
    : sql`ALTER SYSTEM SET ${ident(name)} = ${settingValue(value)};\nSELECT pg_reload_conf();`;
}

/** SET for the current session. */
export function setSession(name: string, value: string | number): SqlText {
  return sql`SET ${ident(name)} = ${settingValue(value)};`;
}
