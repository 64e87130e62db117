import type { Command } from "commander";
import {
  addConnectionOptions,
  addOutputOptions,
  type ConnectionFlags,
  openConnection,
} from "../common-options.js";
import { connectionChecks, outputChecks, parseOptions } from "../option-schemas.js";
import { FORMATS, type OutputOptions } from "../output.js";

interface CachingFlags extends ConnectionFlags, OutputOptions {
  verify?: boolean | string;
  replay: string;
  window: string;
  set?: string[];
}

/** `dbopt advise caching`: results worth caching in the application, and the buffer cache (issue #15). */
export function registerAdviseCaching(advise: Command, setExitCode: (code: number) => void): void {
  const command = advise
    .command("caching")
    .summary("reads worth caching in the application (TTL, hit rate, time saved), and the buffer cache")
    .description(
      "Find the reads an application cache could serve: called often, deterministic (no now(), random() or VOLATILE function), over tables that change slowly. Each gets a TTL that keeps stale answers under 5% (or invalidation on change by LISTEN/NOTIFY), its expected hit rate from the calls spread over its parameters' distinct values, the database time saved, and a cache-aside wrapper for Node (ioredis). --verify replays them through that wrapper against Redis and measures hits and database time with and without it. Also per-table buffer hit rates and pg_prewarm. Read-only.",
    )
    .option(
      "--verify [redis-url]",
      "replay the proposed reads through the cache against Redis (default redis://127.0.0.1:6379)",
    )
    .option(
      "--window <duration>",
      "measure call and change rates over this window while the application runs (0: since the counters' last reset)",
      "30s",
    )
    .option("--replay <calls>", "calls replayed per statement with --verify", "500")
    .option(
      "--set <rule.option=value...>",
      "change a rule's threshold, e.g. architecture/cache-result.maxStaleShare=0.01",
    );
  addConnectionOptions(command);
  addOutputOptions(command);
  command.action(async function (this: Command) {
    const flags = this.opts() as CachingFlags;
    const redisUrl =
      flags.verify === true
        ? "redis://127.0.0.1:6379"
        : typeof flags.verify === "string"
          ? flags.verify
          : null;
    // --window 0 takes the counters since their reset; any other value is a duration.
    const sinceReset = flags.window.trim() === "0";
    const checked = await parseOptions(
      "advise caching",
      { ...flags, verify: redisUrl ?? undefined, window: sinceReset ? undefined : flags.window },
      (k) => ({
        verify: k.z
          .string()
          .regex(/^rediss?:\/\//, { message: "--verify takes a redis:// or rediss:// URL" })
          .optional(),
        replay: k.wholeNumber("--replay", 1, 1_000_000),
        window: k.duration("--window").optional(),
        set: k.ruleAssignments("--set").optional(),
        ...connectionChecks(k),
        ...outputChecks(k, FORMATS),
      }),
    );
    const [{ adviseCaching }, { overridesFrom }, output, { CACHING_RULES }] = await Promise.all([
      import("../../pipeline/advise-caching.js"),
      import("../rule-overrides.js"),
      import("../output.js"),
      import("../../rules/registry.js"),
    ]);
    const report = await adviseCaching(() => openConnection(flags), {
      ...(checked.verify ? { verifyRedis: checked.verify } : {}),
      replayCalls: checked.replay,
      windowMs: sinceReset ? 0 : (checked.window ?? 30_000),
      overrides: overridesFrom(flags.set, CACHING_RULES),
    });
    const format = checked.format ?? "terminal";
    const text =
      format === "json"
        ? (await import("../../reporters/caching/caching-json.js")).renderCachingJson(report)
        : format === "markdown"
          ? (await import("../../reporters/caching/caching-markdown.js")).renderCachingMarkdown(report)
          : format === "html"
            ? (await import("../../reporters/caching/caching-html.js")).renderCachingHtml(report)
            : (await import("../../reporters/caching/caching-terminal.js")).renderCachingTerminal(report, {
                colour: output.wantColour(format, flags),
              });
    await output.writeOutput(text, checked.output);
    setExitCode(output.findingsExitCode(report.findings, checked.failOn));
  });
}
