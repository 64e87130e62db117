import { describe, expect, it } from "vitest";
import { escapeHtml, jsonScript } from "./html.js";

describe("dashboard html", () => {
  it("escapes statement text so it cannot become markup", () => {
    expect(escapeHtml(`select '<b>' & "x"`)).toBe("select &#39;&lt;b&gt;&#39; &amp; &quot;x&quot;");
  });

  it("puts chart data in a JSON script that no text can close", () => {
    const out = jsonScript("d", { label: "</script><script>alert(1)</script>" });
    expect(out.match(/<\/script>/g)).toHaveLength(1);
    const json = out.slice(out.indexOf(">") + 1, out.lastIndexOf("</script>"));
    expect(JSON.parse(json).label).toBe("</script><script>alert(1)</script>");
  });
});
