import { readFile } from "node:fs/promises";
import { InputError } from "./input-error.js";

/**
 * Refuse text that is binary data read as UTF-8 (a NUL, or a tenth of it not UTF-8): an image, a core dump or a
 * compressed file given for SQL or a plan would otherwise reach the parser and come back as a syntax error quoting
 * raw bytes.
 */
export function refuseBinary(text: string, name: string, what: string): void {
  const notUtf8 = text.match(/\ufffd/g)?.length ?? 0;
  if (text.includes("\u0000") || (notUtf8 >= 3 && notUtf8 > text.length * 0.1))
    throw new InputError(`${name} is not a text file: it holds binary data`, `give ${what} as plain text`);
}

export async function readTextFile(path: string, what = "the file"): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      `cannot read ${path}${code === "ENOENT" ? ": no such file" : code === "EISDIR" ? ": it is a directory" : ""}`,
      "check the path",
    );
  }
  refuseBinary(text, path, what);
  return text;
}

/** All of standard input; refuses to wait on a terminal where nothing was piped. */
export async function readStdin(what: string): Promise<string> {
  if (process.stdin.isTTY) {
    throw new InputError(`no ${what} given`, `pass a file, or pipe the ${what} into dbopt`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  refuseBinary(text, "standard input", `the ${what}`);
  if (!text.trim())
    throw new InputError("standard input is empty", `pipe the ${what} into dbopt, or pass a file`);
  return text;
}
