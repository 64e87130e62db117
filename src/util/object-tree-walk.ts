/**
 * Every object node of a JSON tree (a libpg-query or PL/pgSQL parse tree), depth first, without recursion: a
 * statement with thousands of VALUES rows is a deep and wide tree. `visit` returns "skip" to leave a node's
 * children out, "stop" to end the walk.
 */
export type WalkStep = "skip" | "stop" | undefined;

export function walkObjectTree(tree: unknown, visit: (node: Record<string, unknown>) => WalkStep): void {
  const stack: unknown[] = [tree];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      // One at a time: a spread of a long list (an INSERT of many rows) would overflow the call stack.
      for (const item of value) stack.push(item);
      continue;
    }
    if (!value || typeof value !== "object") continue;
    const node = value as Record<string, unknown>;
    const step = visit(node);
    if (step === "stop") return;
    if (step === "skip") continue;
    for (const child of Object.values(node)) stack.push(child);
  }
}
