/** The log formats dbopt reads, as --log-format names them; a module of its own so the CLI loads no reader. */
export const LOG_FORMATS = [
  "stderr",
  "syslog",
  "csvlog",
  "jsonlog",
  "cloudsql",
  "cnpg",
  "logplex",
  "pgbouncer",
  "mysql-slow",
] as const;

export type LogFormat = (typeof LOG_FORMATS)[number];
