/**
 * advise partitioning's migration notes (rows the copy misses, what LIKE leaves behind, foreign keys pointing at
 * the table, keys that grow the partition key) reach every format: terminal, Markdown, HTML and JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { overridesFrom } from "../../src/cli/rule-overrides.js";
import { PostgresConnector } from "../../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { advisePartitioning, type PartitioningReport } from "../../src/pipeline/advise-partitioning.js";
import { renderPartitioningHtml } from "../../src/reporters/partitioning/partitioning-html.js";
import { renderPartitioningMarkdown } from "../../src/reporters/partitioning/partitioning-markdown.js";
import { renderPartitioningTerminal } from "../../src/reporters/partitioning/partitioning-terminal.js";
import { PARTITIONING_RULES } from "../../src/rules/registry.js";
import { escapeMarkup } from "../../src/util/markup-text.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

const SETUP = `
create extension if not exists pg_stat_statements;
create table "Event <Log>" (id bigserial primary key, at timestamptz not null, kind int not null);
insert into "Event <Log>" (at, kind)
  select timestamptz '2026-01-01' + g * interval '40 seconds', g % 9 from generate_series(1, 200000) g;
create table "Event Tag" (id int primary key, event_id bigint references "Event <Log>" (id));
analyze;`;

describe.each(server("pg15"))("advise partitioning's notes in every format ($name)", (srv) => {
  let db: TestDatabase;
  let report: PartitioningReport;

  beforeAll(async () => {
    db = await createTestDatabase(srv, SETUP);
    await runAsAdmin(
      db.url,
      "select pg_stat_statements_reset(0, (select oid from pg_database where datname = current_database()), 0)",
    );
    for (let d = 1; d <= 10; d++)
      await runAsAdmin(
        db.url,
        `select count(*) from "Event <Log>" where at >= '2026-02-${String(d).padStart(2, "0")}' and at < '2026-02-${String(d + 1).padStart(2, "0")}'`,
      );
    report = await advisePartitioning(() => PostgresConnector.connect(resolveTarget({ db: db.url })), {
      overrides: overridesFrom(["architecture/partition-table.minRows=100000"], PARTITIONING_RULES),
    });
  }, 300_000);
  afterAll(async () => {
    await db?.drop();
  });

  it("prints each of the migration's notes in terminal, Markdown, HTML and JSON", () => {
    const notes = report.advice.flatMap((a) => a.migration.notes);
    expect(notes.join("\n")).toMatch(/not carried over/);
    expect(notes.join("\n")).toMatch(/LIKE copies no grants/);
    expect(notes.join("\n")).toMatch(/Foreign keys point at this table/);
    expect(notes.join("\n")).toMatch(/becomes \(id, at\)/);
    const terminal = renderPartitioningTerminal(report, { colour: false });
    const markdown = renderPartitioningMarkdown(report);
    const html = renderPartitioningHtml(report);
    const json = JSON.parse(JSON.stringify(report)) as PartitioningReport;
    for (const note of notes) {
      expect(terminal, note).toContain(note);
      expect(markdown, note).toContain(note);
      expect(html, note).toContain(escapeMarkup(note));
    }
    expect(json.advice.flatMap((a) => a.migration.notes)).toEqual(notes);
  });
});
