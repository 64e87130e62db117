import { readFile, writeFile } from "node:fs/promises";
import { InputError } from "../util/input-error.js";
import { type Snapshot, SnapshotSchema } from "./snapshot.js";

export async function writeSnapshot(path: string, snapshot: Snapshot): Promise<void> {
  await writeFile(path, `${JSON.stringify(snapshot, null, 2)}\n`);
}

/** Read and validate a snapshot written by `dbopt snapshot`. */
export async function readSnapshot(path: string): Promise<Snapshot> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new InputError(
      `cannot read snapshot file ${path}`,
      "check the path; `dbopt snapshot --out FILE` writes one",
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new InputError(
      `${path} is not JSON; it may be truncated`,
      "write it again with `dbopt snapshot --out FILE`",
    );
  }
  const parsed = SnapshotSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `${path} is not a dbopt snapshot (${issue ? `${issue.path.join(".") || "top level"}: ${issue.message}` : "invalid"})`,
      "write it again with `dbopt snapshot --out FILE` from this version of dbopt",
    );
  }
  return parsed.data;
}
