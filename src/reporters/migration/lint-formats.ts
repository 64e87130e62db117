/** The formats `dbopt migrate lint` writes (a module of its own: the CLI lists them before loading the reporters). */
export const LINT_FORMATS = ["terminal", "json", "github", "sarif"] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];
