/**
 * Rule results the dashboard keeps between requests. A stored plan never changes (a new shape is a new plan row),
 * and health findings belong to one sample, so neither goes stale; each map keeps its newest entries only.
 */
import type { Finding } from "../findings/finding.js";
import type { StoredHealth } from "./stored-health.js";

const KEPT = 500;

function remember<K, V>(map: Map<K, V>, key: K, compute: () => V): V {
  const known = map.get(key);
  if (known !== undefined) {
    // Newest last, so the oldest entry is the first to go.
    map.delete(key);
    map.set(key, known);
    return known;
  }
  const value = compute();
  map.set(key, value);
  if (map.size > KEPT) map.delete(map.keys().next().value as K);
  return value;
}

export class FindingsCache {
  private readonly plans = new Map<number, Finding[]>();
  private readonly samples = new Map<string, StoredHealth>();

  /** The plan rules' findings on a stored plan, by plan id. */
  plan(planId: number, compute: () => Finding[]): Finding[] {
    return remember(this.plans, planId, compute);
  }

  /** The health findings already computed for a sample, if any (the page then reads none of its tables). */
  knownHealth(sampleKey: string): StoredHealth | undefined {
    return this.samples.get(sampleKey);
  }

  /** The health findings of a target's sample, by "target@time". */
  health(sampleKey: string, compute: () => StoredHealth): StoredHealth {
    return remember(this.samples, sampleKey, compute);
  }
}
