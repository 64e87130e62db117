/**
 * HTML built safely: `html` templates escape every value put into them through `escapeHtml`, the one escape
 * function of the HTML reports, unless the value is already `Html` (made by another template). So SQL,
 * identifiers, file names and messages can only ever reach a page as text.
 */
import { escapeMarkup } from "../../util/markup-text.js";

const brand: unique symbol = Symbol("html");

/** Markup made by `html` (or taken from a renderer that escaped its own text): placed as is. */
export interface Html {
  readonly [brand]: true;
  readonly text: string;
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

function made(text: string): Html {
  return { [brand]: true, text };
}

function isHtml(value: unknown): value is Html {
  return typeof value === "object" && value !== null && brand in value;
}

/** Text as HTML text or an attribute value: & < > " ' replaced (the one escape function, shared with the plan picture). */
export const escapeHtml = escapeMarkup;

function place(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return "";
  if (isHtml(value)) return value.text;
  if (Array.isArray(value)) return value.map(place).join("");
  return escapeHtml(String(value));
}

/** A template whose values are escaped (arrays joined, null/undefined/false left out). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += place(value) + (strings[i + 1] ?? "");
  });
  return made(out);
}

/**
 * Markup from a renderer of dbopt's that escapes its own text (an SVG picture). Only for such output: anything
 * holding user text that was not escaped must go through `html` instead.
 */
export function trustedMarkup(markup: string): Html {
  return made(markup);
}

/** The final string of a piece of HTML. */
export function htmlText(value: Html): string {
  return value.text;
}

/** A link target that is a web address; anything else (javascript:, data:) becomes no link. */
export function safeHref(url: string | null | undefined): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}
