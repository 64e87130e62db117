/**
 * Server counters read from the local MariaDB as the MySQL facts hold them (names lower-cased, values as text), so a
 * rule test can create its condition in a session of its own (SHOW SESSION STATUS counts only that session's work)
 * and run the rule on what the server printed.
 */
import mysql from "mysql2/promise";
import { MARIADB_HOST, MARIADB_PORT } from "./mariadb.js";

export type Counters = Record<string, string>;

export interface CounterSession {
  run(sql: string): Promise<unknown>;
  status(scope: "SESSION" | "GLOBAL"): Promise<Counters>;
  variables(scope: "SESSION" | "GLOBAL"): Promise<Counters>;
  end(): Promise<void>;
}

export async function counterSession(database?: string): Promise<CounterSession> {
  const c = await mysql.createConnection({
    host: MARIADB_HOST,
    port: MARIADB_PORT,
    user: "root",
    multipleStatements: true,
    ...(database ? { database } : {}),
  });
  const read = async (sql: string): Promise<Counters> => {
    const [rows] = await c.query<mysql.RowDataPacket[]>(sql);
    return Object.fromEntries(rows.map((r) => [String(r.Variable_name).toLowerCase(), String(r.Value)]));
  };
  return {
    run: async (sql) => (await c.query(sql))[0],
    status: (scope) => read(`SHOW ${scope} STATUS`),
    variables: (scope) => read(`SHOW ${scope} VARIABLES`),
    end: () => c.end(),
  };
}
