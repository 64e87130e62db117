/** What the server is and what it lets dbopt see: the adapters branch on these flags, never on a name. */
export interface MysqlCapabilities {
  flavour: "mysql" | "mariadb";
  /** "10.11.19" or "8.0.36". */
  version: string;
  /** The whole version string the server printed ("10.11.19-MariaDB-0+deb12u1"). */
  versionText: string;
  majorMinor: [number, number];
  performanceSchema: boolean;
  /** The sys schema is installed (MySQL 5.7+ ships it; MariaDB 10.6+ too). */
  sysSchema: boolean;
  /** MariaDB's user statistics plugin (INDEX_STATISTICS, TABLE_STATISTICS) is collecting. */
  userstat: boolean;
  innodb: boolean;
  /** MySQL 8's invisible indexes or MariaDB 10.6's IGNORED indexes. */
  invisibleIndexes: boolean;
}

type Query = <T>(text: string) => Promise<T[]>;

/** Ask the server through any session (the read-only connector's or a sandbox's). */
export async function readMysqlCapabilities(query: Query): Promise<MysqlCapabilities> {
  const [row] = await query<{ v: string; comment: string | null }>(
    "SELECT VERSION() AS v, @@version_comment AS comment",
  );
  const versionText = String(row?.v ?? "");
  const flavour = /mariadb/i.test(`${versionText} ${row?.comment ?? ""}`) ? "mariadb" : "mysql";
  const version = /^(\d+\.\d+\.\d+)/.exec(versionText)?.[1] ?? versionText;
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const variables = new Map(
    (
      await query<{ Variable_name: string; Value: string }>(
        "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('performance_schema', 'userstat')",
      )
    ).map((v) => [v.Variable_name.toLowerCase(), String(v.Value).toUpperCase()]),
  );
  const schemas = await query<{ name: string }>(
    "SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ('sys', 'performance_schema')",
  );
  const engines = await query<{ support: string }>(
    "SELECT SUPPORT AS support FROM information_schema.ENGINES WHERE ENGINE = 'InnoDB'",
  );
  const on = (v: string | undefined) => v === "ON" || v === "1";
  return {
    flavour,
    version,
    versionText,
    majorMinor: [major, minor],
    performanceSchema: on(variables.get("performance_schema")),
    sysSchema: schemas.some((s) => s.name === "sys"),
    userstat: on(variables.get("userstat")),
    innodb: engines.some((e) => e.support === "YES" || e.support === "DEFAULT"),
    invisibleIndexes: flavour === "mysql" ? major >= 8 : major > 10 || (major === 10 && minor >= 6),
  };
}

/** The session variable that limits one statement's time: max_statement_time (s) or max_execution_time (ms). */
export function statementTimeLimitSql(flavour: MysqlCapabilities["flavour"], ms: number): string {
  return flavour === "mariadb"
    ? `SET SESSION max_statement_time = ${(ms / 1000).toFixed(3)}`
    : `SET SESSION max_execution_time = ${Math.round(ms)}`;
}
