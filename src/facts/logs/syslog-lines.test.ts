import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { LogRecord } from "./log-record.js";
import { readLog } from "./read-logs.js";
import { syslogToStderr } from "./syslog-lines.js";

describe("syslogToStderr", () => {
  it("turns rsyslog's traditional and RFC 3339 lines back into stderr lines", () => {
    expect(
      syslogToStderr(
        "Nov 26 19:50:05 vm postgres[23254]: [10-1] user=postgres,db=shop LOG:  duration: 0.1 ms",
        2026,
      ),
    ).toBe("2026-11-26 19:50:05 UTC [23254] user=postgres,db=shop LOG:  duration: 0.1 ms");
    expect(
      syslogToStderr(
        "2026-11-26T19:50:05.264416+00:00 vm postgres[7]: [3-1] LOG:  checkpoint starting: time",
      ),
    ).toBe("2026-11-26 19:50:05.264416+00:00 [7] LOG:  checkpoint starting: time");
  });

  it("makes a message's later lines continuations, and keeps DETAIL lines as lines", () => {
    expect(
      syslogToStderr("Nov  6 01:02:03 vm postgres[9]: [140-3] #011Limit  (cost=1.00..2.00 rows=5 width=44)"),
    ).toBe("\tLimit  (cost=1.00..2.00 rows=5 width=44)");
    expect(
      syslogToStderr("Nov 26 19:50:05 vm postgres[9]: [10-2] u=x DETAIL:  parameters: $1 = '1'", 2026),
    ).toBe("2026-11-26 19:50:05 UTC [9] u=x DETAIL:  parameters: $1 = '1'");
  });

  it("is null for lines syslog did not write", () => {
    expect(syslogToStderr("2026-11-26 19:50:05.264 UTC [7] LOG:  x")).toBeNull();
  });

  it("reads journalctl's output: the syslog header, +0000 offsets, the server's whole stderr line, tabs kept", async () => {
    expect(
      syslogToStderr("2026-11-26T19:50:05+0000 vm postgres[7]: 2026-11-26 19:50:05.264 UTC [7] LOG:  x"),
    ).toBe("2026-11-26 19:50:05+0000 [7] 2026-11-26 19:50:05.264 UTC [7] LOG:  x");
    expect(syslogToStderr("Nov 26 19:50:05 vm postgres[7]: \tfrom t", 2026)).toBe("\tfrom t");
    // The captured stderr log as `journalctl -u postgresql -o short-iso` shows it.
    const stderr = readFileSync(
      new URL("../../../test/fixtures/logs/pg15-stderr.log", import.meta.url),
      "utf8",
    );
    let time = "";
    let pid = "";
    const journal = stderr
      .trimEnd()
      .split("\n")
      .map((l) => {
        const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.\d+ UTC \[(\d+)\]/.exec(l);
        if (m) [time, pid] = [`${m[1]}T${m[2]}+0000`, m[3] as string];
        return `${time} vm postgres[${pid}]: ${l}`;
      })
      .join("\n");
    const read = async (text: string) => {
      const records: LogRecord[] = [];
      const stats = await readLog("log", [text], (r) => records.push(r));
      return { stats, records };
    };
    const plain = await read(stderr);
    const viaJournal = await read(journal);
    expect(viaJournal.stats).toMatchObject({ format: "syslog", prefix: "%m [%p] %q%u@%d ", skipped: 0 });
    expect(viaJournal.records.map((r) => [r.message, r.detail, r.user, r.database])).toEqual(
      plain.records.map((r) => [r.message, r.detail, r.user, r.database]),
    );
  });
});
