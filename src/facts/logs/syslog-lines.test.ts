import { describe, expect, it } from "vitest";
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
});
