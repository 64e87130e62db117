import { describe, expect, it } from "vitest";
import { escapeHtml, html, htmlText, safeHref, trustedMarkup } from "./html-text.js";

describe("html templates", () => {
  it("escape every value, arrays included, and keep markup made by html", () => {
    const name = `<script>alert("x")</script> & 'q'`;
    const out = htmlText(html`<p title="${name}">${name}${[name, html`<b>${name}</b>`]}</p>`);
    expect(out).not.toContain("<script");
    expect(out).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;");
    expect(out).toContain("<b>&lt;script&gt;");
    // Four escaped copies: the attribute, the text, the array's string, the nested template's.
    expect(out.match(/&lt;script&gt;/g)).toHaveLength(4);
  });

  it("leave out null, undefined and false; write numbers and true", () => {
    expect(htmlText(html`${null}${undefined}${false}${0}${true}`)).toBe("0true");
  });

  it("a plain object shaped like markup is escaped as text, only the template's own brand passes", () => {
    const forged = { text: "<script>x</script>" } as unknown as string;
    expect(htmlText(html`${forged}`)).toBe("[object Object]");
    expect(htmlText(html`${trustedMarkup("<svg></svg>")}`)).toBe("<svg></svg>");
  });

  it("escapeHtml replaces the five characters", () => {
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
  });

  it("links only to web addresses", () => {
    expect(safeHref("https://www.postgresql.org/docs/")).toBe("https://www.postgresql.org/docs/");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref(null)).toBeNull();
  });
});
