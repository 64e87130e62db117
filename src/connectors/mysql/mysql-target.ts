import { DbError } from "../db-error.js";

/** Where a MySQL or MariaDB server is, from a mysql:// or mariadb:// URL or the MYSQL_* variables. */
export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  /** Flavour the user named in the scheme; the server's own answer wins (capabilities). */
  scheme: "mysql" | "mariadb";
  /** The URL without its password, for reports and messages. */
  display: string;
}

/** True for a URL dbopt sends to the MySQL connector. */
export function isMysqlUrl(url: string | undefined): boolean {
  return url !== undefined && /^(mysql|mariadb):\/\//i.test(url.trim());
}

/**
 * Read a mysql:// or mariadb:// URL; what it leaves out comes from MYSQL_HOST, MYSQL_TCP_PORT, MYSQL_USER,
 * MYSQL_PWD and MYSQL_DATABASE (the variables the mysql client reads), then the client's defaults.
 */
export function resolveMysqlTarget(url: string, env: NodeJS.ProcessEnv = process.env): MysqlTarget {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw invalid("it is not a URL");
  }
  const scheme = parsed.protocol.replace(/:$/, "").toLowerCase();
  if (scheme !== "mysql" && scheme !== "mariadb") throw invalid(`unknown scheme ${scheme}`);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || env.MYSQL_DATABASE || "";
  if (!database) throw invalid("no database named (mysql://user@host:3306/DATABASE)");
  const portText = parsed.port || env.MYSQL_TCP_PORT || "3306";
  const port = Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    throw invalid(`port ${portText} is not a port number`);
  const host = parsed.hostname.replace(/^\[|\]$/g, "") || env.MYSQL_HOST || "127.0.0.1";
  const user = decodeURIComponent(parsed.username) || env.MYSQL_USER || "root";
  const password = parsed.password ? decodeURIComponent(parsed.password) : env.MYSQL_PWD;
  const display = `${scheme}://${encodeURIComponent(user)}@${host.includes(":") ? `[${host}]` : host}:${port}/${encodeURIComponent(database)}`;
  return { host, port, user, password, database, scheme, display };
}

function invalid(why: string): DbError {
  return new DbError({
    code: "invalid-target",
    message: `--db is not a usable MySQL/MariaDB URL: ${why}`,
    hint: "write it as mysql://user:password@host:3306/database or mariadb://...",
  });
}
