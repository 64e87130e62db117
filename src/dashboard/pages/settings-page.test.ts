import { describe, expect, it } from "vitest";
import { settingsPage } from "./settings-page.js";

const at = (hour: number) => new Date(Date.UTC(2026, 11, 2, hour));
const target = { id: 1, databaseName: "shop", address: "app@db:5432/shop", lastSample: at(9) };

describe("settings page", () => {
  it("lists each change with the value it replaced, newest first, and the first values apart", () => {
    const html = settingsPage(target, [
      {
        at: at(8),
        name: "work_mem",
        setting: "8192",
        unit: "kB",
        source: "database",
        pendingRestart: false,
        previous: "4096",
      },
      {
        at: at(7),
        name: "shared_buffers",
        setting: "32768",
        unit: "8kB",
        source: "configuration file",
        pendingRestart: true,
        previous: "16384",
      },
      {
        at: at(1),
        name: "work_mem",
        setting: "4096",
        unit: "kB",
        source: "default",
        pendingRestart: false,
        previous: null,
      },
    ]);
    const rows = [...html.matchAll(/<tr data-setting="[^"]+">(.*?)<\/tr>/g)].map((m) =>
      [...(m[1] ?? "").matchAll(/<td>(.*?)<\/td>/g)].map((td) => td[1]?.replace(/<[^>]+>/g, "")),
    );
    expect(rows).toEqual([
      ["2026-12-02 08:00:00Z", "work_mem", "4096 kB", "8192 kB", "database", ""],
      [
        "2026-12-02 07:00:00Z",
        "shared_buffers",
        "16384 8kB",
        "32768 8kB",
        "configuration file",
        "pending restart",
      ],
    ]);
    expect(html).toContain("<summary>1 settings</summary>");
  });

  it("says when nothing changed", () => {
    expect(settingsPage(target, [])).toContain("No setting changed since the first sample");
  });
});
