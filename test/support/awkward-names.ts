/**
 * Object names for tests of printed SQL: names people really have (mixed case, spaces, reserved words,
 * non-ASCII) and names written to break out of their quotes.
 */
export const AWKWARD_NAMES = [
  "plain",
  "MixedCase",
  "line item",
  'say "hi"',
  "t; DROP TABLE canary",
  "x'); DROP TABLE canary; --",
  "select",
  "order",
  "user",
  "Ünïcödé",
  "1starts_with_digit",
  "dollar$sign",
  "$1",
  "trailing space ",
  "--comment",
  "/* c */",
];
