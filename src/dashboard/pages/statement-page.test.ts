import { describe, expect, it } from "vitest";
import type { Plan } from "../../facts/plan/plan-model.js";
import type { StatementSeries, StoredPlan, StoredStatement } from "../../store/read-dashboard.js";
import { statementPage } from "./statement-page.js";

const at = (minute: number) => new Date(Date.UTC(2026, 11, 2, 5, minute));

const statement: StoredStatement = {
  id: 7,
  targetId: 1,
  databaseName: "shop",
  query: "select * from orders where id = $1",
  userName: "app",
  queryid: "123",
  firstSeen: at(0),
  lastSeen: at(30),
};

const plan = (id: number): StoredPlan => ({
  id,
  statementId: 7,
  shapeHash: `hash${id}`,
  firstSeen: at(id),
  samples: 3,
  lastSeen: at(id + 10),
  plan: {
    root: {
      id: 0,
      nodeType: "Seq Scan",
      role: "child",
      subplanName: null,
      parallelAware: false,
      asyncCapable: false,
      details: {},
      relationName: "orders",
      schema: "public",
      alias: "orders",
      indexName: null,
      cost: { startup: 0, total: 10 },
      planRows: 1,
      planWidth: 8,
      actual: undefined,
      buffers: null,
      ioTimings: null,
      workers: [],
      props: {},
      children: [],
    },
    planningMs: null,
    planningBuffers: null,
    executionMs: null,
    serialization: null,
    triggers: [],
    jit: null,
    settings: {},
    queryIdentifier: null,
    analyzed: false,
  } satisfies Plan,
});

describe("statement page", () => {
  it("marks each plan change with a link to the diff from the plan before it, and explains the p95", () => {
    const series: StatementSeries = {
      points: [
        { at: at(0), calls: 10, totalMs: 50, sumSqMs: 10 * 25, rows: 10 },
        { at: at(5), calls: 0, totalMs: 0, sumSqMs: 0, rows: 0 },
      ],
      bin: "sample",
      grain: "sample",
      planChanges: [{ at: at(5), planId: 2 }],
      firstPlan: { at: at(0), planId: 1 },
    };
    const html = statementPage(
      statement,
      { from: at(0), to: at(10), label: "" },
      series,
      [plan(1), plan(2)],
      new Map(),
    );
    expect(html).toContain('<ul id="plan-changes"><li>2026-12-02 05:05:00Z: plan 2 (was plan 1)');
    expect(html).toContain('href="/plan-diff?before=1&amp;after=2"');
    expect(html).toContain("p95 is estimated, not measured");
    expect(html.match(/<svg /g)).toHaveLength(2);
    const data = JSON.parse(
      /<script type="application\/json" id="mean-data">([^<]*)<\/script>/.exec(html)?.[1] ?? "",
    );
    expect(data.series.map((s: { label: string }) => s.label)).toEqual(["mean", "p95 (estimated)"]);
    // A point without calls has no mean and no p95 (a gap in the line, not a zero).
    expect(data.series[1].values).toEqual(
      [5.000000000000001, null].map((v) => (v === null ? null : expect.closeTo(v, 9))),
    );
    expect(data.marks).toEqual([at(5).getTime() / 1000]);
  });
});
