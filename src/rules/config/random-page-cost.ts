import { setting } from "../../facts/snapshot-accessors.js";
import type { Finding } from "../../findings/finding.js";
import { alterSystem } from "../../findings/fix-sql.js";
import type { HealthFacts } from "../health/health-facts.js";
import type { Rule } from "../rule.js";

type Options = Record<string, never>;

/** random_page_cost left at 4, a figure for spinning disks, on SSD or cloud storage. */
export const randomPageCost: Rule<HealthFacts, Options> = {
  id: "config/random-page-cost",
  family: "config",
  group: "settings",
  title: "random_page_cost tuned for spinning disks",
  description:
    "random_page_cost = 4 (the default) tells the planner random reads cost four sequential ones, true of hard disks; on SSDs and cloud volumes it steers plans away from index scans that would be faster. Skipped when --storage hdd is given.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/runtime-config-query.html#GUC-RANDOM-PAGE-COST",
  options: {},
  check({ snapshot, machine }) {
    const s = setting(snapshot, "random_page_cost");
    if (!s || Number(s.setting) < 2 || machine?.storage === "hdd") return [];
    const finding: Finding = {
      ruleId: this.id,
      severity: machine?.storage === "ssd" || machine?.storage === "san" ? "warning" : "info",
      title: `random_page_cost = ${s.setting}${machine?.storage ? ` on ${machine.storage.toUpperCase()} storage` : ""}`,
      detail: `${s.source === "default" ? "It was never changed from the default." : `It is set in ${s.source}.`} On SSD or networked storage a random read costs about the same as a sequential one.`,
      evidence: { randomPageCost: Number(s.setting), source: s.source, storage: machine?.storage ?? null },
      fix: {
        sql: alterSystem("random_page_cost", 1.1),
        note: "Only if the data is on SSD (or a cloud volume); check plans of the main queries before and after.",
      },
      docsUrl: this.docsUrl,
      impact: 1,
    };
    return [finding];
  },
};
