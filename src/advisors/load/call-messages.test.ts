/**
 * A statement's calls in one shared block: each view is exactly one call's messages (Bind+Execute+Sync, or a
 * Query with the tag), the Parse comes apart, and the memory is shared (what the worker threads rely on).
 */
import { describe, expect, it } from "vitest";
import { buildCallMessages, callViews, statementName } from "./call-messages.js";
import { bindMessage, EXECUTE_SYNC, parseMessage, queryMessage } from "./wire-messages.js";

describe("call messages", () => {
  const source = {
    sql: 'select 1 from "Odd ""Name""" where id = $1',
    values: [["1"], [null], ["ünï"]],
    inlined: [
      `select 1 from "Odd ""Name""" where id = '1'::int`,
      `select 1 from "Odd ""Name""" where id = NULL::int`,
      `select 1 from "Odd ""Name""" where id = 'ünï'::int`,
    ],
  };

  it("encodes one Bind+Execute+Sync per parameter set, prepared under the statement's name", () => {
    const m = buildCallMessages(source, 2, "prepared");
    expect(m.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(m.offsets.buffer).toBeInstanceOf(SharedArrayBuffer);
    const views = callViews(m);
    expect(views).toEqual(
      source.values.map((v) => Buffer.concat([bindMessage(statementName(2), v), EXECUTE_SYNC])),
    );
    expect(Buffer.from(m.parse)).toEqual(parseMessage("dbopt_bench_2", `${source.sql}\n/* dbopt */`));
    // Views, not copies.
    expect(views[1]?.buffer).toBe(m.bytes.buffer);
  });

  it("encodes one Query per inlined set for the simple protocol, tagged, with no Parse", () => {
    const m = buildCallMessages(source, 0, "simple");
    expect(callViews(m)).toEqual(source.inlined.map((t) => queryMessage(`${t}\n/* dbopt */`)));
    expect(m.parse.length).toBe(0);
  });

  it("tags a statement that ends in a semicolon before it, where pg_stat_statements keeps the tag", () => {
    const ended = { sql: "select 1 from t;", values: [], inlined: ["select 1 from t;"] };
    expect(callViews(buildCallMessages(ended, 0, "simple"))).toEqual([
      queryMessage("select 1 from t\n/* dbopt */;"),
    ]);
    expect(Buffer.from(buildCallMessages(ended, 0, "prepared").parse)).toEqual(
      parseMessage("dbopt_bench_0", "select 1 from t\n/* dbopt */;"),
    );
  });

  it("makes one call of a statement without parameters", () => {
    const none = { sql: "select 1", values: [], inlined: ["select 1"] };
    expect(callViews(buildCallMessages(none, 0, "prepared"))).toEqual([
      Buffer.concat([bindMessage("dbopt_bench_0", []), EXECUTE_SYNC]),
    ]);
    expect(callViews(buildCallMessages(none, 0, "simple"))).toHaveLength(1);
  });
});
