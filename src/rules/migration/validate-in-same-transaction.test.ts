import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { validateInSameTransaction } from "./validate-in-same-transaction.js";

const ADD =
  "alter table orders add constraint fk foreign key (customer_id) references customers (id) not valid;";
const VALIDATE = "alter table orders validate constraint fk;";

describe("migration/validate-in-same-transaction", () => {
  it("reports VALIDATE in the transaction that added the constraint", async () => {
    const [f] = await lintSql(validateInSameTransaction, `begin;\n${ADD}\n${VALIDATE}\ncommit;`);
    expect(f).toMatchObject({ severity: "error", location: { line: 3 } });
    expect(
      await lintSql(validateInSameTransaction, `${ADD}\n${VALIDATE}`, { assumeInTransaction: true }),
    ).toHaveLength(1);
  });

  it("is quiet when a COMMIT separates them", async () => {
    expect(
      await lintSql(validateInSameTransaction, `begin;\n${ADD}\ncommit;\nbegin;\n${VALIDATE}\ncommit;`),
    ).toEqual([]);
  });
});
