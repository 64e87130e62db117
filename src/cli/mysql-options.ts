import { InputError } from "../util/input-error.js";

/** An option of a command that does nothing with a mysql:// or mariadb:// --db, and what to do instead. */
export interface PostgresOnlyOption {
  flag: string;
  given: boolean;
  /** What the option is for on PostgreSQL, or what to use on MySQL/MariaDB instead. */
  instead: string;
}

export const isMysqlUrl = (url: string | undefined): boolean =>
  /^(mysql|mariadb):\/\//i.test(url?.trim() ?? "");

/**
 * Options that mean nothing on MySQL/MariaDB are refused in one line, never silently ignored: a user who gave
 * --exact or --storage expects it to change the answer.
 */
export function refusePostgresOnly(options: PostgresOnlyOption[]): void {
  const given = options.filter((o) => o.given);
  const first = given[0];
  if (!first) return;
  const names = given.map((o) => o.flag);
  const flags = names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)}` : first.flag;
  throw new InputError(
    `${flags} ${given.length > 1 ? "do" : "does"} not apply to MySQL/MariaDB (--db mysql:// or mariadb://)`,
    `leave ${given.length > 1 ? "them" : "it"} out: ${first.instead}`,
  );
}

/** --cpus and --storage feed PostgreSQL's settings checks; the MySQL checks read only --ram of the machine. */
export function mysqlMachineOptions(flags: { cpus?: string; storage?: string }): PostgresOnlyOption[] {
  const instead = "the MySQL/MariaDB checks read only --ram of the machine";
  return [
    { flag: "--cpus", given: flags.cpus !== undefined, instead },
    { flag: "--storage", given: flags.storage !== undefined, instead },
  ];
}
