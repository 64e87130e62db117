/**
 * The cache-aside wrapper dbopt prints for the reads it proposes: Node and ioredis, one function per statement
 * (key = statement + parameters, its TTL, its invalidation tags), and for event-driven invalidation a listener
 * that deletes the entries tagged with what a NOTIFY names. verify-cache.ts replays the same steps against Redis.
 */
import type { CachePlan } from "../../rules/architecture/cache-result.js";
import type { CacheStatement, CachingFacts } from "../../rules/architecture/caching-facts.js";

export interface CacheAsideCode {
  language: "typescript";
  /** npm packages the code needs. */
  packages: string[];
  wrapper: string;
  /** The LISTEN side of event-driven invalidation, when a proposal uses it. */
  listener: string | null;
}

/** Tags an entry carries: the rows (table:key) or tables whose change makes it stale. */
function cacheTags(plan: CachePlan, params: string): string {
  if ("rows" in plan.key) {
    const parts = plan.key.rows.params.map((n) => `\${${params}[${n - 1}]}`).join(",");
    // The table's own tag too: a TRUNCATE notifies the table, not each row.
    return `[\`${templateText(plan.key.rows.table)}:${parts}\`, ${JSON.stringify(plan.key.rows.table)}]`;
  }
  return JSON.stringify(plan.key.tables);
}

/** Text placed inside a printed template literal: its backticks, backslashes and ${ kept as text. */
function templateText(text: string): string {
  return text.replace(/[\\`]/g, "\\$&").replace(/\$\{/g, "\\${");
}

/** Text placed inside a printed block comment: a star-slash in it would end the comment. */
function commentText(text: string): string {
  return text.replace(/\*\//g, "* /");
}

export function cacheAsideCode(
  proposals: Array<{ statement: CacheStatement; plan: CachePlan }>,
  _facts: CachingFacts,
): CacheAsideCode {
  const functions = proposals.map(({ statement: s, plan }) => {
    const name = `cached_${s.queryId.replace(/^-/, "m").replace(/[^A-Za-z0-9_]/g, "_")}`;
    const text = s.query.replace(/\s+/g, " ").trim();
    return [
      `/** ${commentText(text.length > 100 ? `${text.slice(0, 97)}...` : text)}: ${plan.ttlSeconds} s, ${plan.invalidation === "event" ? "invalidated on change" : "expires"}. */`,
      `export function ${name}(pool: Pool, params: unknown[] = []) {`,
      `  return cached(\`dbopt:${s.queryId}:\${JSON.stringify(params)}\`, ${plan.ttlSeconds}, ${cacheTags(plan, "params")}, async () =>`,
      `    (await pool.query(${JSON.stringify(s.query)}, params)).rows,`,
      "  );",
      "}",
    ].join("\n");
  });
  const wrapper = [
    "// Cache-aside for the reads dbopt advise caching proposed (ioredis). An entry's tags name the rows or tables",
    "// whose change makes it stale; listenForChanges() deletes the tagged entries when the triggers NOTIFY.",
    'import Redis from "ioredis";',
    'import type { Pool } from "pg";',
    "",
    'export const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");',
    "",
    "export async function cached<T>(key: string, ttlSeconds: number, tags: string[], load: () => Promise<T>): Promise<T> {",
    "  const hit = await redis.get(key);",
    "  if (hit !== null) return JSON.parse(hit) as T;",
    "  const value = await load();",
    '  const write = redis.multi().set(key, JSON.stringify(value), "EX", ttlSeconds);',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the printed TypeScript's own template literal
    "  for (const tag of tags) write.sadd(`dbopt:tag:${tag}`, key).expire(`dbopt:tag:${tag}`, ttlSeconds);",
    "  await write.exec();",
    "  return value;",
    "}",
    "",
    ...functions.flatMap((f) => [f, ""]),
  ].join("\n");
  const listener = proposals.some((p) => p.plan.invalidation === "event")
    ? [
        'import { Client } from "pg";',
        'import { redis } from "./cache-aside";',
        "",
        "/** One connection LISTENs on dbopt_cache (a direct one: LISTEN does not survive transaction pooling). */",
        "export async function listenForChanges(connectionString: string): Promise<Client> {",
        "  const client = new Client({ connectionString });",
        "  await client.connect();",
        '  client.on("notification", async (n) => {',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the printed TypeScript's own template literal
        "    const tag = `dbopt:tag:${n.payload}`;",
        "    const keys = await redis.smembers(tag);",
        "    if (keys.length > 0) await redis.del(...keys, tag);",
        "  });",
        '  await client.query("LISTEN dbopt_cache");',
        "  return client;",
        "}",
        "",
      ].join("\n")
    : null;
  return { language: "typescript", packages: ["ioredis", "pg"], wrapper, listener };
}
