import { setting } from "../../facts/snapshot-accessors.js";
import type { Finding } from "../../findings/finding.js";
import { alterSystem } from "../../findings/fix-sql.js";
import type { HealthFacts } from "../health/health-facts.js";
import type { Rule } from "../rule.js";

type Options = Record<string, never>;

const UNSAFE: Array<{ name: string; bad: string; why: string; fix: string }> = [
  {
    name: "fsync",
    bad: "off",
    why: "a crash or power loss can corrupt the database beyond repair",
    fix: "on",
  },
  {
    name: "full_page_writes",
    bad: "off",
    why: "a crash in the middle of a page write can leave torn, unrecoverable pages",
    fix: "on",
  },
  {
    name: "autovacuum",
    bad: "off",
    why: "dead rows accumulate, statistics go stale, and nothing freezes old rows until an emergency anti-wraparound vacuum",
    fix: "on",
  },
];

/** Settings that trade safety or maintenance away: fsync off, full_page_writes off, autovacuum off. */
export const unsafeSettings: Rule<HealthFacts, Options> = {
  id: "config/unsafe-settings",
  family: "config",
  group: "settings",
  title: "Setting that risks data or maintenance",
  description:
    "fsync = off and full_page_writes = off risk corruption on a crash; autovacuum = off stops routine vacuuming and analyzing.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/runtime-config-wal.html#GUC-FSYNC",
  options: {},
  check({ snapshot }) {
    return UNSAFE.filter((u) => setting(snapshot, u.name)?.setting === u.bad).map(
      (u): Finding => ({
        ruleId: this.id,
        severity: "error",
        title: `${u.name} = ${u.bad}`,
        detail: `With ${u.name} ${u.bad}, ${u.why}. (Set from ${setting(snapshot, u.name)?.source}.)`,
        evidence: { setting: u.name, value: u.bad, source: setting(snapshot, u.name)?.source ?? null },
        fix: {
          sql: alterSystem(u.name, u.fix),
          note: "A reload applies it (no restart needed). Only a throw-away database (tests, a bulk load you can redo) should run like this.",
        },
        docsUrl: this.docsUrl,
        impact: 1e12,
      }),
    );
  },
};
