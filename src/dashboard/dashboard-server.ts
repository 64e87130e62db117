/**
 * The dashboard's HTTP server (node:http: a handful of GET routes need no framework). Pages are rendered on the
 * server from the store's read queries; the only scripts are uPlot, served from node_modules, and charts.js.
 * When a token is set, every request must carry it: `?token=` once (it is then kept in a cookie),
 * `Authorization: Bearer`, or the cookie. Without a token (loopback only) a request must name a loopback host: a page on
 * another site can point its own name at 127.0.0.1 (DNS rebinding) and would otherwise read the store.
 */
import { timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import {
  countSamples,
  readPlans,
  readRecentPlans,
  readStackedTime,
  readStatement,
  readStatementPlans,
  readStatementSeries,
  readTarget,
  readTargetHealth,
  readTopStatements,
  type StoredPlan,
} from "../store/read-dashboard.js";
import { readGrowth, readSettingChanges } from "../store/read-growth.js";
import { type LatestObjects, latestObjectsSample, readObjectsAt } from "../store/read-latest-objects.js";
import type { StoreConnection } from "../store/store-connection.js";
import { CHARTS_SCRIPT } from "./assets/charts-script.js";
import { FindingsCache } from "./findings-cache.js";
import { escapeHtml, page } from "./html.js";
import { databasePage } from "./pages/database-page.js";
import { databasesPage } from "./pages/databases-page.js";
import { findingsPage } from "./pages/findings-page.js";
import { growthPage } from "./pages/growth-page.js";
import { planDiffPage } from "./pages/plan-diff-page.js";
import { settingsPage } from "./pages/settings-page.js";
import { statementPage } from "./pages/statement-page.js";
import { storedHealth } from "./stored-health.js";
import { compareStoredPlans } from "./stored-plan-comparison.js";
import { storedPlanFindings } from "./stored-plan-findings.js";
import { parseRange, RangeError400 } from "./time-range.js";

/** Statements drawn on a database's stacked chart; the rest are one "all others" band. */
const CHART_STATEMENTS = 10;
/** Statements whose latest plan the findings page runs the plan rules on. */
const RECENT_PLANS = 50;
const TOKEN_COOKIE = "dbopt_token";

export interface DashboardOptions {
  store: StoreConnection;
  /** How the store is named on the first page (no password). */
  storeDescription: string;
  /** Required on every request when set. */
  token: string | null;
  /** Called after each request with its path, status and time taken. */
  onRequest?: (line: { path: string; status: number; ms: number }) => void;
}

interface Reply {
  status: number;
  type: string;
  body: string | Buffer;
}

const html = (body: string, status = 200): Reply => ({ status, type: "text/html; charset=utf-8", body });
const notFound = (what: string) =>
  html(page("Not found", `<h1>Not found</h1><p>${escapeHtml(what)}</p>`), 404);

function assets(): Map<string, Reply> {
  const require = createRequire(import.meta.url);
  const file = (path: string) => readFileSync(require.resolve(path));
  return new Map<string, Reply>([
    [
      "/assets/uplot.js",
      { status: 200, type: "text/javascript", body: file("uplot/dist/uPlot.iife.min.js") },
    ],
    ["/assets/uplot.css", { status: 200, type: "text/css", body: file("uplot/dist/uPlot.min.css") }],
    ["/assets/charts.js", { status: 200, type: "text/javascript", body: CHARTS_SCRIPT }],
  ]);
}

function id(text: string | undefined): number | null {
  return text && /^\d{1,18}$/.test(text) ? Number(text) : null;
}

async function route(
  options: DashboardOptions,
  url: URL,
  files: Map<string, Reply>,
  cache: FindingsCache,
): Promise<Reply> {
  const { store } = options;
  const file = files.get(url.pathname);
  if (file) return file;
  // Browsers ask for it on every page; no icon is not an error.
  if (url.pathname === "/favicon.ico") return { status: 204, type: "image/x-icon", body: "" };
  if (url.pathname === "/")
    return html(databasesPage(await readTargetHealth(store), options.storeDescription));
  const [, kind, key] = url.pathname.split("/");
  const sub = url.pathname.split("/")[3];
  if (kind === "database" && sub !== undefined) {
    const targetId = id(key);
    const target = targetId === null ? null : await readTarget(store, targetId);
    if (!target) return notFound(`no database ${key} in the store`);
    if (sub === "findings") {
      // Health findings belong to one sample: once computed, its tables and indexes are not read again.
      const sample = await latestObjectsSample(store, target.id);
      const key = sample ? `${target.id}@${sample.takenAt.toISOString()}` : "";
      const known = cache.knownHealth(key);
      const objects = sample && !known ? await readObjectsAt(store, target.id, sample) : null;
      const health = sample
        ? {
            takenAt: sample.takenAt,
            ...(known ??
              cache.health(key, () => storedHealth(objects as LatestObjects, target.databaseName))),
          }
        : null;
      const plans = (await readRecentPlans(store, target.id, RECENT_PLANS)).map((p) => ({
        statementId: p.statement.id,
        query: p.statement.query,
        findings: cache.plan(p.plan.id, () => storedPlanFindings(p.plan.plan, p.statement.query)),
      }));
      return html(findingsPage(target, health, plans, url.searchParams.get("rule")));
    }
    if (sub === "growth") {
      const range = parseRange(url.searchParams, target.lastSample);
      const growth = await readGrowth(store, target.id, range, await countSamples(store, target.id, range));
      return html(growthPage(target, range, growth));
    }
    if (sub === "settings") return html(settingsPage(target, await readSettingChanges(store, target.id)));
    return notFound(`nothing at ${url.pathname}`);
  }
  if (kind === "database") {
    const targetId = id(key);
    const target = targetId === null ? null : await readTarget(store, targetId);
    if (!target) return notFound(`no database ${key} in the store`);
    const range = parseRange(url.searchParams, target.lastSample);
    const samples = await countSamples(store, target.id, range);
    const top = await readTopStatements(store, target.id, range, CHART_STATEMENTS);
    const stacked = await readStackedTime(
      store,
      target.id,
      range,
      top.map((s) => s.id),
      samples,
    );
    return html(databasePage(target, range, top, stacked));
  }
  if (kind === "statement") {
    const statementId = id(key);
    const statement = statementId === null ? null : await readStatement(store, statementId);
    if (!statement) return notFound(`no statement ${key} in the store`);
    const target = await readTarget(store, statement.targetId);
    const range = parseRange(url.searchParams, target?.lastSample ?? null);
    const samples = await countSamples(store, statement.targetId, range);
    const series = await readStatementSeries(store, statement, range, samples);
    const plans = await readStatementPlans(store, statement.id);
    const findings = new Map(
      plans.map((p) => [p.id, cache.plan(p.id, () => storedPlanFindings(p.plan, statement.query))]),
    );
    return html(statementPage(statement, range, series, plans, findings));
  }
  if (kind === "plan-diff" && key === undefined) {
    const before = id(url.searchParams.get("before") ?? undefined);
    const after = id(url.searchParams.get("after") ?? undefined);
    if (before === null || after === null) return notFound("plan-diff needs ?before=PLAN&after=PLAN");
    const plans = await readPlans(store, [before, after]);
    const b = plans.find((p) => p.id === before);
    const a = plans.find((p) => p.id === after);
    if (!b || !a) return notFound(`no plan ${b ? after : before} in the store`);
    const statement = await readStatement(store, a.statementId);
    if (!statement || b.statementId !== a.statementId)
      return notFound("the two plans are not of one statement");
    const numbers = new Map((await readStatementPlans(store, statement.id)).map((p, i) => [p.id, i + 1]));
    const side = (p: StoredPlan, when: string) => ({
      label: `${when}: plan ${numbers.get(p.id) ?? "?"} (shape ${p.shapeHash.slice(0, 12)})`,
      plan: p.plan,
      findings: cache.plan(p.id, () => storedPlanFindings(p.plan, statement.query)),
    });
    return html(planDiffPage(statement, compareStoredPlans(b, a), [side(b, "before"), side(a, "after")]));
  }
  return notFound(`nothing at ${url.pathname}`);
}

function sameToken(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

const LOOPBACK_NAMES = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Whether a Host header names this machine's loopback (with any port); a missing one is refused too. */
export function loopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  try {
    return LOOPBACK_NAMES.has(new URL(`http://${host}`).hostname.replace(/\.$/, ""));
  } catch {
    return false;
  }
}

function cookieToken(request: IncomingMessage): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === TOKEN_COOKIE) return value.join("=");
  }
  return undefined;
}

/** The server, not yet listening. */
export function dashboardServer(options: DashboardOptions): Server {
  const files = assets();
  const cache = new FindingsCache();
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    const url = new URL(request.url ?? "/", "http://dashboard");
    const send = (reply: Reply, headers: Record<string, string> = {}) => {
      const ms = performance.now() - started;
      response.writeHead(reply.status, {
        "content-type": reply.type,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "content-security-policy":
          "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
        "server-timing": `total;dur=${ms.toFixed(1)}`,
        ...headers,
      });
      response.end(request.method === "HEAD" ? undefined : reply.body);
      options.onRequest?.({ path: url.pathname, status: reply.status, ms });
    };
    if (request.method !== "GET" && request.method !== "HEAD") {
      send(
        { status: 405, type: "text/plain", body: "the dashboard only reads: GET\n" },
        { allow: "GET, HEAD" },
      );
      return;
    }
    if (options.token === null && !loopbackHost(request.headers.host)) {
      send({
        status: 403,
        type: "text/plain",
        body: "this dashboard answers only at 127.0.0.1, localhost or [::1] (serve it with --host and a token to share it)\n",
      });
      return;
    }
    const extra: Record<string, string> = {};
    if (options.token !== null) {
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
      const query = url.searchParams.get("token");
      if (sameToken(query, options.token))
        extra["set-cookie"] = `${TOKEN_COOKIE}=${options.token}; HttpOnly; SameSite=Strict; Path=/`;
      else if (!sameToken(bearer, options.token) && !sameToken(cookieToken(request), options.token)) {
        send({
          status: 401,
          type: "text/plain",
          body: "this dashboard needs its token: open the address dbopt serve printed (?token=...)\n",
        });
        return;
      }
    }
    route(options, url, files, cache).then(
      (reply) => send(reply, extra),
      (error: unknown) => {
        if (error instanceof RangeError400)
          send(html(page("Bad range", `<h1>Bad range</h1><p>${escapeHtml(error.message)}</p>`), 400));
        else
          send(
            html(
              page(
                "Error",
                `<h1>The store could not answer</h1><pre>${escapeHtml((error as Error).message)}</pre>`,
              ),
              500,
            ),
          );
      },
    );
  });
}
