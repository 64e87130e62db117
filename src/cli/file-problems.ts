import { accessSync, constants, type Stats, statSync } from "node:fs";

/** What a file system error code means, in words. */
export const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: "no such file or folder",
  ENOTDIR: "a part of the path is not a folder",
  EISDIR: "it is a folder, not a file",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EMFILE: "too many open files",
  ENAMETOOLONG: "the path is too long",
  ELOOP: "too many symbolic links in the path",
  EIO: "input/output error",
  EBUSY: "the file is busy",
  ETXTBSY: "the file is busy",
};

export function fileProblem(code: string | undefined): string {
  return (code && FILE_PROBLEMS[code]) || code || "unknown error";
}

/**
 * The one rule for a path given as input (a log, a plan, migrations, a workload, traces): why it cannot be read,
 * or null when it can. A file or a named pipe (mkfifo, a shell's <(…)) is read; a folder only where the command
 * reads folders; a device (/dev/zero never ends, /dev/null is no file anyone meant) or a socket is refused before
 * any reading, as a folder is.
 */
export function inputPathProblem(path: string, folders: boolean): string | null {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR"
      ? "does not exist"
      : `cannot be read (${fileProblem(code)})`;
  }
  if (stat.isDirectory() && !folders) return "is a folder, not a file";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "is a device, not a file";
  if (stat.isSocket()) return "is a socket, not a file";
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    return `cannot be read (${fileProblem((error as NodeJS.ErrnoException).code)})`;
  }
  return null;
}
