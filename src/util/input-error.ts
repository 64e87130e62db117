/** Bad input from the user (a file that is not a plan, broken SQL, a wrong flag): exit code 2. */
export class InputError extends Error {
  readonly hint: string;

  constructor(message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InputError";
    this.hint = hint;
  }
}
