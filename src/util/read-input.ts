import { readFile } from "node:fs/promises";
import { InputError } from "./input-error.js";

export async function readTextFile(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      `cannot read ${path}${code === "ENOENT" ? ": no such file" : code === "EISDIR" ? ": it is a directory" : ""}`,
      "check the path",
    );
  }
}

/** All of standard input; refuses to wait on a terminal where nothing was piped. */
export async function readStdin(what: string): Promise<string> {
  if (process.stdin.isTTY) {
    throw new InputError(`no ${what} given`, `pass a file, or pipe the ${what} into dbopt`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text.trim())
    throw new InputError("standard input is empty", `pipe the ${what} into dbopt, or pass a file`);
  return text;
}
