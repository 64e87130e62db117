import { describe, expect, it } from "vitest";
import { canonicalDefinition, dboptIndexName, namedDdl } from "./apply-advice.js";

describe("advise --apply names and definitions", () => {
  const rec = {
    ddl: "CREATE INDEX CONCURRENTLY ON tickets (tenant_id, status, updated_at DESC);",
    table: "tickets",
  };

  it("names an index after its table and columns, with a hash of its definition, within 63 bytes", () => {
    const name = dboptIndexName(rec);
    expect(name).toMatch(/^dbopt_tickets_tenant_id_status_updated_at_desc_[0-9a-f]{8}$/);
    expect(dboptIndexName(rec)).toBe(name);
    expect(dboptIndexName({ ...rec, ddl: rec.ddl.replace(" DESC", "") })).not.toBe(name);
    const long = dboptIndexName({
      table: "a_really_long_table_name_that_goes_on_and_on",
      ddl: 'CREATE INDEX CONCURRENTLY ON "a_really_long_table_name_that_goes_on_and_on" (first_column, second_column);',
    });
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^dbopt_a_really_long[a-z0-9_]*_[0-9a-f]{8}$/);
  });

  it("puts the name into the statement", () => {
    expect(namedDdl(rec.ddl, "dbopt_x_1")).toBe(
      "CREATE INDEX CONCURRENTLY dbopt_x_1 ON tickets (tenant_id, status, updated_at DESC);",
    );
  });

  it("sees the same index in a recommendation and in pg_get_indexdef", () => {
    const pairs: Array<[string, string]> = [
      [
        "CREATE INDEX CONCURRENTLY ON users ((lower(email)));",
        "CREATE INDEX users_lower_idx ON public.users USING btree (lower(email))",
      ],
      [
        "CREATE INDEX CONCURRENTLY ON tickets (created_at) WHERE status = 'escalated';",
        "CREATE INDEX t_idx ON public.tickets USING btree (created_at) WHERE (status = 'escalated'::text)",
      ],
      [
        "CREATE INDEX CONCURRENTLY ON events USING brin (at);",
        "CREATE INDEX events_at ON public.events USING brin (at)",
      ],
      [
        "CREATE INDEX CONCURRENTLY ON orders (customer_id) INCLUDE (total);",
        "CREATE INDEX o ON public.orders USING btree (customer_id) INCLUDE (total)",
      ],
    ];
    for (const [ours, server] of pairs) expect(canonicalDefinition(ours)).toBe(canonicalDefinition(server));
    expect(canonicalDefinition("CREATE INDEX CONCURRENTLY ON events (at);")).not.toBe(
      canonicalDefinition("CREATE INDEX e ON public.events USING brin (at)"),
    );
    expect(canonicalDefinition("CREATE INDEX CONCURRENTLY ON orders (customer_id, total);")).not.toBe(
      canonicalDefinition("CREATE INDEX o ON public.orders USING btree (customer_id) INCLUDE (total)"),
    );
  });
});
