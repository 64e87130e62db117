import type { ClientConfig } from "pg";
import { parse as parseConnectionString } from "pg-connection-string";
import { DbError } from "../db-error.js";

/** Where to connect, and how to name the target without revealing its secrets. */
export interface PgTarget {
  config: ClientConfig;
  /** user@host:port/database, never with the password. */
  display: string;
  /** Kept only to scrub it from messages that might echo it. */
  secret: string | null;
  /** The role it logs in as, when the URL or PGUSER names one: the GRANT a refused connection needs. */
  user?: string;
}

export interface TargetSources {
  db?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

const PG_ENV_VARS = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE"] as const;

/** --db URL first, then DATABASE_URL, then the libpq PG* variables (which `pg` reads by itself). */
export function resolveTarget(sources: TargetSources): PgTarget {
  const env = sources.env ?? process.env;
  const url = sources.db ?? env.DATABASE_URL;
  if (url) return targetFromUrl(url, sources.db ? "--db" : "DATABASE_URL");
  if (PG_ENV_VARS.some((name) => env[name])) {
    const config: ClientConfig = {
      host: env.PGHOST ?? env.PGHOSTADDR ?? "localhost",
      port: portFromEnv(env.PGPORT),
      user: env.PGUSER ?? env.USER ?? "postgres",
      database: env.PGDATABASE ?? env.PGUSER ?? env.USER ?? "postgres",
      ...(env.PGPASSWORD ? { password: env.PGPASSWORD } : {}),
    };
    return { config, display: describe(config), secret: env.PGPASSWORD ?? null, user: String(config.user) };
  }
  throw new DbError({
    code: "invalid-target",
    message: "no database given",
    hint: "pass --db postgresql://user@host:5432/dbname, or set DATABASE_URL or the PG* variables (PGHOST, PGDATABASE, ...); `dbopt demo` needs none",
  });
}

function targetFromUrl(given: string, origin: string): PgTarget {
  // node-postgres treats sslmode prefer, require and verify-ca as verify-full, and prints a ten-line warning saying
  // so on standard error. Asking for what it does anyway keeps its checks and keeps the error output one line.
  const url = /[?&]uselibpqcompat=/i.test(given)
    ? given
    : given.replace(/([?&]sslmode=)(prefer|require|verify-ca)(?=&|$)/i, "$1verify-full");
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new DbError({
      code: "invalid-target",
      message: `${origin} is not a PostgreSQL URL`,
      hint: "use the form postgresql://user:password@host:5432/dbname",
    });
  }
  let parsed: ReturnType<typeof parseConnectionString>;
  try {
    parsed = parseConnectionString(url);
  } catch {
    throw new DbError({
      code: "invalid-target",
      message: `${origin} could not be read as a URL`,
      hint: "use the form postgresql://user:password@host:5432/dbname; percent-encode special characters in the password",
    });
  }
  const config: ClientConfig = { connectionString: url };
  const shown: ClientConfig = {
    host: parsed.host ?? "localhost",
    // pg-connection-string gives "" for a URL without a port.
    port: Number(parsed.port || 5432),
    user: parsed.user ?? "",
    database: parsed.database ?? "",
  };
  return {
    config,
    display: describe(shown),
    secret: parsed.password ? String(parsed.password) : null,
    ...(parsed.user ? { user: parsed.user } : {}),
  };
}

/** PGPORT as a number: anything else left node-postgres waiting on port NaN until the process ended (exit 13). */
function portFromEnv(text: string | undefined): number {
  if (text === undefined || text.trim() === "") return 5432;
  const port = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535))
    throw new DbError({
      code: "invalid-target",
      message: `PGPORT must be a port number from 1 to 65535, got ${JSON.stringify(text)}`,
      hint: "set PGPORT to the server's port (5432 by default), or pass --db postgresql://user@host:5432/dbname",
    });
  return port;
}

function describe(config: ClientConfig): string {
  const user = config.user ? `${config.user}@` : "";
  return `${user}${config.host ?? "localhost"}:${config.port ?? 5432}/${config.database ?? ""}`;
}

/** Remove the password, and any URL credentials, from a text before it is shown. */
export function scrubSecrets(text: string, secret: string | null): string {
  let out = text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*):[^@\s]*@/gi, "$1:***@");
  if (secret && secret.length >= 3) out = out.split(secret).join("***");
  return out;
}
