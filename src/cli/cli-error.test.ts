import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { gunzipSync, gzipSync } from "node:zlib";
import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { DbError } from "../connectors/db-error.js";
import { InputError } from "../util/input-error.js";
import { describeError } from "./cli-error.js";

function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error("nothing was thrown");
}

describe("describeError", () => {
  it("the user's input: exit 2 with the hint", () => {
    expect(describeError(new InputError("--top must be a whole number", "run dbopt analyze --help"))).toEqual(
      {
        line: "error: --top must be a whole number. Run dbopt analyze --help.",
        code: 2,
      },
    );
  });

  it("a connection problem: exit 3", () => {
    const e = new DbError({ code: "auth-failed", message: "authentication failed for x", hint: "check it" });
    expect(describeError(e).code).toBe(3);
  });

  it("a truncated or corrupt gzip, as node:zlib reports it: exit 2", () => {
    const whole = gzipSync(Buffer.from("x".repeat(10_000)));
    for (const broken of [
      whole.subarray(0, whole.length / 2),
      Buffer.concat([whole.subarray(0, 10), Buffer.alloc(50, 1)]),
    ]) {
      const { line, code } = describeError(thrown(() => gunzipSync(broken)));
      expect(code).toBe(2);
      expect(line).toMatch(/^error: the compressed input is corrupt or truncated \(.+\)\. Check the file/);
    }
  });

  it("a file system error names the path and the reason: exit 2", () => {
    const { line, code } = describeError(thrown(() => readFileSync(tmpdir())));
    expect(code).toBe(2);
    expect(line).toBe(
      "error: cannot read a file: it is a folder, not a file. Check the path and its permissions.",
    );
    expect(describeError(thrown(() => readFileSync("/no/such/file"))).line).toMatch(
      /^error: cannot open \/no\/such\/file: no such file or folder\./,
    );
  });

  it("a login error straight from the driver: exit 3", () => {
    const raw = Object.assign(new Error('password authentication failed for user "app"'), {
      code: "28P01",
      severity: "FATAL",
    });
    expect(describeError(raw)).toEqual({
      line: 'error: the server refused the connection: password authentication failed for user "app". Check the user, password and database name in the URL.',
      code: 3,
    });
  });

  it("a parse error points at its command's --help", () => {
    const e = Object.assign(new CommanderError(2, "commander.unknownOption", "error: unknown option '--x'"), {
      commandPath: "migrate lint",
    });
    expect(describeError(e).line).toBe(
      "error: unknown option '--x'. Run dbopt migrate lint --help for its options.",
    );
  });

  it("a message or hint that ends a sentence gets no second full stop; a hint naming a command keeps its case", () => {
    expect(describeError(new InputError("is the server running?", "start it.")).line).toBe(
      "error: is the server running? Start it.",
    );
    expect(describeError(new InputError("needs two files", "dbopt diff before.json after.json")).line).toBe(
      "error: needs two files. dbopt diff before.json after.json.",
    );
  });

  it("one line of printable text, without passwords, whatever the message quotes", () => {
    const { line } = describeError(
      new InputError('got "http://app:hunter2@db/x" and "not json\n" with \u0000\u001b[31m', "fix it"),
    );
    expect(line).toBe('error: got "http://app:***@db/x" and "not json " with \\x00\\x1b[31m. Fix it.');
    const suggestion = Object.assign(
      new CommanderError(
        1,
        "commander.unknownCommand",
        "error: unknown command 'analyse'\n(Did you mean analyze?)",
      ),
      {},
    );
    expect(describeError(suggestion).line).toBe(
      "error: unknown command 'analyse' (did you mean analyze?). Run dbopt --help for the commands and options.",
    );
  });

  it("anything else is a bug in dbopt: exit 4", () => {
    expect(describeError(new TypeError("x is undefined"))).toEqual({
      line: "error: x is undefined. This is a bug in dbopt; run again with --debug and report the output.",
      code: 4,
    });
  });
});
