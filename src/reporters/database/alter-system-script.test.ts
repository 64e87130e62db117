import { beforeAll, describe, expect, it } from "vitest";
import { healthSnapshot } from "../../../test/support/rule-harness.js";
import { recommendSettings } from "../../advisors/settings/settings-advisor.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { alterSystemScript } from "./alter-system-script.js";

// The script is parsed back before it is returned.
beforeAll(loadSqlParser);

const machine = {
  ramBytes: 16 * 1024 ** 3,
  cpus: 4,
  storage: "ssd" as const,
  workload: "oltp" as const,
  connections: null,
};

describe("ALTER SYSTEM script", () => {
  it("writes ALTER SYSTEM lines only for what changes", () => {
    const script = alterSystemScript(recommendSettings(machine, healthSnapshot("pg18"), "test"));
    expect(script.at(-1)).toMatch(/restart/);
    expect(
      script.every(
        (l) =>
          l.startsWith("ALTER SYSTEM SET") || l.startsWith("SELECT pg_reload_conf") || l.startsWith("--"),
      ),
    ).toBe(true);
    expect(script.some((l) => l.startsWith("ALTER SYSTEM SET checkpoint_completion_target"))).toBe(false);
  });
  it("says so when nothing changes", () => {
    const report = recommendSettings(machine, healthSnapshot("pg18"), "test");
    const none = {
      ...report,
      recommendations: report.recommendations.map((r) => ({ ...r, changed: false })),
    };
    expect(alterSystemScript(none)).toEqual(["-- nothing to change"]);
  });
});
