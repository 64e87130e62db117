import { describe, expect, it } from "vitest";
import { resolveTarget } from "./target.js";

describe("resolveTarget", () => {
  it("shows the default port when the URL has none, and never the password", () => {
    const t = resolveTarget({ db: "postgresql://app:s3cret@db.internal/shop", env: {} });
    expect(t.display).toBe("app@db.internal:5432/shop");
    expect(t.secret).toBe("s3cret");
  });

  it("shows the URL's port", () => {
    expect(resolveTarget({ db: "postgres://u@127.0.0.1:6543/x", env: {} }).display).toBe(
      "u@127.0.0.1:6543/x",
    );
  });
});
