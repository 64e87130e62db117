/**
 * dbopt logs over the test corpora of the two reference tools, with the figures each tool gives (pgBadger 12.0,
 * pt-query-digest 3.2.1, as installed here) beside dbopt's. The corpora are not in this repository
 * (percona-toolkit is GPL-2; pgBadger's large files): point the variables at checkouts of them.
 *
 *   DBOPT_PGBADGER_FIXTURES=<pgbadger>/t/fixtures   (https://github.com/darold/pgbadger)
 *   DBOPT_PT_SLOWLOGS=<percona-toolkit>/t/lib/samples/slowlogs   (https://github.com/percona/percona-toolkit)
 *
 * Where dbopt's figure differs from the tool's, the line says why. test/fixtures/logs/SOURCES.md lists the commits.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LogFormat } from "../../src/facts/logs/read-logs.js";
import { analyzeLogs, type LogReport } from "../../src/pipeline/analyze-logs.js";

const PGBADGER = process.env.DBOPT_PGBADGER_FIXTURES ?? "";
const PT = process.env.DBOPT_PT_SLOWLOGS ?? "";

/** [statements, distinct shapes, total ms] */
type Figures = [number, number, number];

const shapes = (r: LogReport) => r.statements.length;
const read = (path: string, format?: LogFormat) => analyzeLogs([path], { jobs: 1, top: 10000, format });

/**
 * pt-query-digest --output json --limit 100%:100000 gives the same statements, classes and Query_time sum unless
 * the comment says otherwise. null: dbopt refuses the file (one line saying why), as it should.
 */
const PT_SLOWLOGS: Record<string, Figures | null> = {
  empty: null, // an empty file
  "microslow001.txt": [2, 2, 2.595],
  "mysql5.7.log": [2, 2, 3.705],
  "slow-pt-243.txt": null, // administrator commands only (pt: 2 "administrator command" classes)
  // pt 2 classes: "from n" under `use test` and "from test.n" are one table; libpg-query's fingerprint ignores
  // the schema name.
  "slow001-rewritten.txt": [2, 1, 4000],
  "slow001.txt": [2, 1, 4000],
  "slow002.txt": [8, 7, 762.08], // user SQL_SLAVE (pt: "[SQL_SLAVE]", the empty user's bracketed name)
  "slow003.txt": [1, 1, 0.012],
  "slow004.txt": [1, 1, 2000],
  "slow005.txt": [1, 1, 0.012],
  "slow006.txt": [6, 2, 0.072],
  "slow007.txt": [1, 1, 0.012],
  // pt 3/3/19.7: pt counts "# administrator command: Quit" as a statement; dbopt leaves admin commands out.
  "slow008.txt": [2, 2, 19.698],
  "slow009.txt": [2001, 1, 1798.899], // `# User:` lines: dbopt reads the user, pt gives none
  "slow010.txt": [1, 1, 2000],
  "slow011.txt": [2, 1, 1.798], // pt 4/2/20.599: two Quit commands, one after a lone `use db2;`
  "slow012.txt": [2, 1, 0.036],
  "slow013.txt": [4, 3, 149.532], // pt 5/4/149.537: a Quit
  "slow014.txt": [2, 1, 4000],
  "slow015.txt": null, // a truncated User@Host and no Query_time (pt: no output)
  "slow016.txt": [2, 2, 0.04],
  "slow017.txt": null, // Query_time 18446744073708.796870.000036, an overflow (pt: 0 statements)
  "slow018.txt": [1, 1, 2000],
  "slow019.txt": [1, 1, 0.899], // pt 3/2/19.7: two Quit
  "slow020.txt": [3, 3, 19.7],
  "slow021.txt": [2, 1, 4000], // as slow001
  "slow022.txt": [6, 2, 0.072],
  "slow023.txt": [1, 1, 2000],
  "slow024.txt": [4, 4, 8000], // pt 3 classes: its fingerprint writes REPLACE as INSERT
  "slow025.txt": [1, 1, 17737.502],
  "slow026.txt": null, // administrator commands only
  "slow027.txt": [1, 1, 413146.036],
  "slow028.txt": [1, 1, 2000],
  "slow029.txt": [3, 3, 8568.124],
  "slow030.txt": [181, 2, 131415.412],
  "slow031.txt": [1, 1, 453.125],
  "slow032-rewritten.txt": [1, 1, 0.512],
  "slow032.txt": [1, 1, 0.512],
  "slow033.txt": [6, 2, 0.072],
  "slow034.txt": [9, 5, 1363356.468],
  "slow035.txt": [2, 2, 0],
  "slow036.txt": [1, 1, 0],
  "slow037.txt": [1, 1, 1],
  "slow038.txt": [9, 9, 0.108],
  "slow039.txt.gz": [1, 1, 2000], // pt reads no gzip (0 statements); zcat | pt-query-digest gives 1/1/2000
  "slow040.txt.gz": [1, 1, 2000],
  "slow041.txt": [1, 1, 0.613], // pt 2/2/0.615: a Quit
  "slow042.txt": [3, 1, 1.839],
  "slow043.txt": [1, 1, 2000],
  "slow044.txt": [2, 1, 0.346],
  "slow045.txt": [2, 2, 0.192],
  "slow046.txt": [1, 1, 0.173],
  "slow047.txt": [1, 1, 1000],
  // pt 1 class: its fingerprint drops ASC (MySQL's default order); libpg-query's keeps it.
  "slow048.txt": [4, 4, 0.051],
  "slow049.txt": [10, 5, 1860000],
  "slow050.txt": [1, 1, 10000],
  "slow051.txt": [2, 1, 0.024],
  "slow052.txt": [200, 2, 413401.906],
  "slow053.txt": [10, 3, 1950.12],
  "slow054.txt": [8, 1, 0.096],
  "slow055.txt": [2, 2, 19.698], // pt 3/3/19.7: a Quit
  "slow056.txt": [1, 1, 2.515], // pt 2/2/2.617: pt counts an entry of `use test_db;` alone as a statement
  "slow057.txt": [2, 1, 1.798], // pt 4/2/20.599: two Quit
  "slow058.txt": [6, 3, 75.2],
  "slow059.txt": [3, 2, 0.63],
  "slow060.txt": [1, 1, 10000.373],
  "slow061.txt": [1, 1, 11013.723],
  "slowlogwriter001.txt": [1, 1, 1000],
  "slowlogwriter002.txt": [1, 1, 1123.456],
};

describe.skipIf(!PT)("pt-query-digest's slow logs (DBOPT_PT_SLOWLOGS)", () => {
  for (const [file, want] of Object.entries(PT_SLOWLOGS)) {
    it(`${file}: ${want ? want.join(" / ") : "refused"}`, async () => {
      const path = join(PT, file);
      if (!want) {
        await expect(read(path)).rejects.toThrow(/\S/);
        return;
      }
      const r = await read(path);
      expect([r.statementCount, shapes(r), Number(r.totalMs.toFixed(3))]).toEqual(want);
    });
  }

  it("reads the YYMMDD time and the users and schemas of Percona Server's entries (slow059, slow044, slow002)", async () => {
    const a = await read(join(PT, "slow059.txt"));
    expect(a.period.first).toBe(Date.UTC(2013, 10, 28, 1, 5, 31));
    expect(a.statements.flatMap((s) => s.databases)).toContain("maindb");
    const b = await read(join(PT, "slow044.txt"));
    expect(b.statements.flatMap((s) => s.databases)).toEqual([]);
    expect(b.statements.flatMap((s) => s.users)).toEqual(["foo"]);
    const c = await read(join(PT, "slow002.txt"));
    expect(c.statements.flatMap((s) => s.users)).toContain("SQL_SLAVE");
    expect(c.statements.flatMap((s) => s.databases)).toContain("db1");
    // `# Time:` is the server's local time (UTC-5 here), SET timestamp the instant: one second, not five hours.
    expect([c.period.first, c.period.last]).toEqual([
      Date.UTC(2007, 11, 18, 16, 48, 27),
      Date.UTC(2007, 11, 18, 16, 48, 28),
    ]);
  });
});

interface PgBadgerCase {
  format?: LogFormat;
  /** statements, shapes, total ms, first and last time (ISO, UTC) */
  want: [...Figures, string, string];
  vacuums?: [number, number];
  /** errors by level */
  errors?: Record<string, number>;
  note?: string;
}

/** pgBadger -x json: overall_stat queries_number, normalyzed_info's keys, the per-query durations' sum,
 * first_log_ts/last_log_ts (the log's own zone; here in UTC), autovacuum/autoanalyze counts. */
const PGBADGER_FILES: Record<string, PgBadgerCase> = {
  // pgBadger's overall queries_duration adds the bind phases (1537.095); its per-query sums are 1304.914 too.
  "anonymize.log": { want: [5, 3, 1304.914, "2021-01-20T11:21:31", "2021-01-22T09:03:22"] },
  "begin_end.log": { want: [0, 0, 0, "2021-02-14T00:34:02", "2021-02-15T20:02:06"] },
  // pgBadger errors_number 5: it counts "database system was shut down" as an error.
  "cloudsql.log.gz": {
    want: [1, 1, 0, "2020-05-02T13:00:20", "2020-05-02T13:59:50"],
    vacuums: [15, 19],
    errors: { FATAL: 4 },
  },
  // pgBadger 12.0 cannot read it (-f jsonlog: 0 queries); counted with grep: 400 durations, 2370.850 ms.
  "cnpg.log.gz": {
    want: [400, 28, 2370.85, "2022-11-27T18:48:18", "2022-11-27T18:58:02"],
    vacuums: [3, 11],
    errors: { ERROR: 4, FATAL: 1 },
  },
  // Its timestamps are quoted: detected as csvlog only when named (pgBadger -f csv). pgBadger 12.0 gives the
  // second statement the first one's duration (total 1377572.566); its own t/07 test says it must not.
  "csv_statement_without_duration.log": {
    format: "csvlog",
    want: [2, 2, 688786.283, "2026-05-16T05:11:50", "2026-05-16T05:20:03"],
  },
  "light.postgres.log.bz2": { want: [629, 7, 8654.84, "2017-09-06T08:40:10", "2017-09-06T09:01:28"] },
  // Heroku: pgBadger's databases AQUA/GREEN are the attachments' colours, which dbopt does not call databases.
  "logplex.gz": {
    want: [4, 2, 107517.819, "2019-03-14T00:22:56", "2021-09-07T04:01:27"],
    errors: { ERROR: 1 },
  },
  // pgBadger 127.525 adds the bind phases.
  "multiline_param.log": { want: [5, 4, 125.517, "2021-12-03T07:14:48", "2021-12-03T07:14:48"] },
  "pg-syslog.1.bz2": { want: [59871, 12, 16955.939, "2026-02-11T13:15:39", "2026-02-11T13:16:26"] },
  "pg-syslog.2.gz": { want: [59871, 12, 16955.939, "2026-02-10T23:15:39", "2026-02-10T23:16:26"] },
  "pg_rawcsv.log": {
    want: [0, 0, 0, "2025-01-21T17:32:48", "2025-01-21T17:38:09"],
    errors: { ERROR: 2, FATAL: 1 },
  },
  "pg_vacuums.json.gz": {
    want: [0, 0, 0, "2024-06-26T22:00:07", "2024-06-27T00:59:51"],
    vacuums: [2094, 1450],
  },
  "pg_vacuums.log.gz": {
    want: [0, 0, 0, "2024-06-26T22:00:07", "2024-06-27T00:59:51"],
    vacuums: [2094, 1450],
  },
  // pgBadger 3 shapes: IN lists of 7 and 3 values; dbopt folds IN lists, as pg_stat_statements 18 does.
  "postgresql_param_range.log": { want: [3, 1, 1659.415, "2023-03-07T08:05:37", "2023-03-07T08:07:12"] },
  "queryid.log.gz": {
    want: [20, 14, 13595.422, "2022-02-17T14:45:10", "2022-02-17T16:29:38"],
    errors: { ERROR: 3 },
  },
  // pgBadger 57 shapes: it leaves the 3 empty statements ("statement: ", JDBC's isValid) out of its list.
  "rds.log.bz2": {
    want: [114594, 58, 71472.764, "2020-03-11T19:40:43", "2020-03-11T19:42:47"],
    errors: { FATAL: 2 },
  },
  "stmt_type.log": { want: [12, 12, 37.444, "2019-10-21T09:03:31", "2019-10-21T09:03:51"] },
  "tempfile_only.log.gz": {
    want: [65, 10, 734441.464, "2014-04-01T09:13:21", "2014-04-01T12:30:00"],
    vacuums: [4, 17],
  },
  "weeknumber.log": { want: [6, 1, 3.456, "2021-01-01T07:13:44", "2021-07-05T07:13:44"] },
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().slice(0, 19));

describe.skipIf(!PGBADGER)("pgBadger's t/fixtures (DBOPT_PGBADGER_FIXTURES)", () => {
  for (const [file, c] of Object.entries(PGBADGER_FILES)) {
    it(`${file}: ${c.want.slice(0, 3).join(" / ")}`, async () => {
      const path = join(PGBADGER, file);
      if (!existsSync(path)) throw new Error(`${path} is missing`);
      const r = await read(path, c.format);
      const [n, k, ms, first, last] = c.want;
      expect([r.statementCount, shapes(r), Number(r.totalMs.toFixed(3))]).toEqual([n, k, ms]);
      expect([iso(r.period.first), iso(r.period.last)]).toEqual([first, last]);
      if (c.vacuums) expect([r.events.autovacuum.vacuums, r.events.autovacuum.analyzes]).toEqual(c.vacuums);
      const errors: Record<string, number> = {};
      for (const e of r.events.errors) errors[e.level] = (errors[e.level] ?? 0) + e.count;
      expect(errors).toEqual(c.errors ?? {});
      // No statement is keyed by an error text (libpg-query answered "" with one).
      for (const s of r.statements) expect(s.fingerprint).toMatch(/^(?:[0-9a-f]+|text:[\s\S]*)$/);
    });
  }

  it("pgbouncer.log.gz and pgbouncer.1.21.log.gz: the logins pgBadger counts (63943, 49626)", async () => {
    const a = await read(join(PGBADGER, "pgbouncer.log.gz"));
    expect(a.pgbouncer?.logins).toBe(63943);
    const b = await read(join(PGBADGER, "pgbouncer.1.21.log.gz"));
    expect(b.pgbouncer?.logins).toBe(49626);
  });
});
