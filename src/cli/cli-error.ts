import { CommanderError } from "commander";
import { DbError } from "../connectors/db-error.js";
import { InputError } from "../util/input-error.js";
import { EXIT } from "./exit-codes.js";

/** One line that says what is wrong and what to do, and the exit code that goes with it. */
export function describeError(error: unknown): { line: string; code: number } {
  if (error instanceof InputError)
    return { line: `error: ${error.message}. ${capitalise(error.hint)}.`, code: EXIT.usage };
  if (error instanceof DbError) {
    return {
      line: `error: ${error.message}. ${capitalise(error.hint)}.`,
      code: error.isConnectionError ? EXIT.connection : EXIT.usage,
    };
  }
  if (error instanceof CommanderError) {
    const message = error.message.replace(/^error: /, "");
    return { line: `error: ${message}. Run dbopt --help for the commands and options.`, code: EXIT.usage };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    line: `error: ${message}. This is a bug in dbopt; run again with --debug and report the output.`,
    code: EXIT.internal,
  };
}

function capitalise(text: string): string {
  const t = text.replace(/\.$/, "");
  return t.charAt(0).toUpperCase() + t.slice(1);
}
