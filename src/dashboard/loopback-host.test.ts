import { describe, expect, it } from "vitest";
import { loopbackHost } from "./dashboard-server.js";

describe("loopbackHost (the tokenless dashboard's Host check against DNS rebinding)", () => {
  it.each(["127.0.0.1:7420", "localhost:7420", "[::1]:7420", "localhost", "LOCALHOST:80", "localhost.:7420"])(
    "takes %s",
    (host) => expect(loopbackHost(host)).toBe(true),
  );
  it.each([
    undefined,
    "",
    "attacker.example:7420",
    "127.0.0.1.attacker.example",
    "localhost@evil",
    "10.0.0.5:7420",
  ])("refuses %s", (host) => expect(loopbackHost(host)).toBe(false));
});
