import { describe, expect, it } from "vitest";
import { walkObjectTree } from "./object-tree-walk.js";

describe("walkObjectTree", () => {
  it("visits every object node, leaves a skipped node's children out and ends on stop", () => {
    const tree = { a: { name: "x", kids: [{ name: "y" }, { name: "z", kids: [{ name: "deep" }] }] } };
    const seen: string[] = [];
    walkObjectTree(tree, (node) => {
      if (typeof node.name === "string") seen.push(node.name);
      return node.name === "z" ? "skip" : undefined;
    });
    expect(seen.sort()).toEqual(["x", "y", "z"]);
    const upTo: string[] = [];
    walkObjectTree(tree, (node) => {
      if (typeof node.name === "string") upTo.push(node.name);
      return node.name === "x" ? "stop" : undefined;
    });
    expect(upTo).toEqual(["x"]);
  });

  it("walks a list of 200,000 items without overflowing the call stack", () => {
    let count = 0;
    walkObjectTree({ rows: Array.from({ length: 200_000 }, (_, i) => ({ i })) }, () => {
      count++;
    });
    expect(count).toBe(200_001);
  });
});
