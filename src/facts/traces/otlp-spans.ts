/**
 * Database spans out of OpenTelemetry OTLP/JSON files: one ExportTraceServiceRequest document, or one per line
 * (the collector's file exporter). Both the stable database conventions (`db.query.text`, `db.system.name`) and
 * the legacy ones (`db.statement`, `db.system`) are read; spans without query text are not database calls.
 */
import { InputError } from "../../util/input-error.js";

export interface DbSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  service: string | null;
  system: string | null;
  query: string;
  startNs: bigint;
  endNs: bigint;
  durationMs: number;
}

/** Every span, database or not, by id: N+1 reports name the parent (the request or function that loops). */
export interface SpanIndex {
  spans: number;
  traces: Set<string>;
  names: Map<string, string>;
  db: DbSpan[];
}

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: KeyValue[];
}
interface ScopeSpans {
  spans?: OtlpSpan[];
}
interface ResourceSpans {
  resource?: { attributes?: KeyValue[] };
  scopeSpans?: ScopeSpans[];
  /** Before OTLP 0.19. */
  instrumentationLibrarySpans?: ScopeSpans[];
}
interface ExportRequest {
  resourceSpans?: ResourceSpans[];
}

const QUERY_KEYS = ["db.query.text", "db.statement"];
const SYSTEM_KEYS = ["db.system.name", "db.system"];

export function readOtlpJson(name: string, text: string, into: SpanIndex): void {
  const documents = parseDocuments(name, text);
  let found = false;
  for (const doc of documents) {
    if (!doc || typeof doc !== "object" || !Array.isArray(doc.resourceSpans)) continue;
    found = true;
    for (const rs of doc.resourceSpans) {
      const service = attribute(rs.resource?.attributes, ["service.name"]);
      for (const scope of [...(rs.scopeSpans ?? []), ...(rs.instrumentationLibrarySpans ?? [])])
        for (const span of scope.spans ?? []) add(span, service, into);
    }
  }
  if (!found)
    throw new InputError(
      `${name} holds no OTLP/JSON trace data (no "resourceSpans")`,
      "export traces as OTLP/JSON, e.g. with the collector's file exporter (format: json)",
    );
}

function parseDocuments(name: string, text: string): ExportRequest[] {
  const trimmed = text.trim();
  if (!trimmed) throw new InputError(`${name} is empty`, "give an OTLP/JSON traces file");
  try {
    const whole = JSON.parse(trimmed) as ExportRequest | ExportRequest[];
    return Array.isArray(whole) ? whole : [whole];
  } catch {
    // JSON Lines: one request per line.
  }
  const docs: ExportRequest[] = [];
  for (const [i, line] of trimmed.split("\n").entries()) {
    if (!line.trim()) continue;
    try {
      docs.push(JSON.parse(line) as ExportRequest);
    } catch {
      throw new InputError(
        `${name}:${i + 1} is not JSON`,
        "give OTLP/JSON: one document, or one document per line",
      );
    }
  }
  return docs;
}

function add(span: OtlpSpan, service: string | null, into: SpanIndex): void {
  if (!span.traceId || !span.spanId) return;
  into.spans++;
  into.traces.add(span.traceId);
  into.names.set(`${span.traceId}/${span.spanId}`, span.name ?? "");
  const query = attribute(span.attributes, QUERY_KEYS);
  if (!query) return;
  const startNs = BigInt(span.startTimeUnixNano ?? 0);
  const endNs = BigInt(span.endTimeUnixNano ?? span.startTimeUnixNano ?? 0);
  into.db.push({
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId || null,
    name: span.name ?? "",
    service,
    system: attribute(span.attributes, SYSTEM_KEYS),
    query,
    startNs,
    endNs,
    durationMs: Number(endNs - startNs) / 1e6,
  });
}

function attribute(attributes: KeyValue[] | undefined, keys: string[]): string | null {
  for (const key of keys) {
    const v = attributes?.find((a) => a.key === key)?.value;
    if (v?.stringValue !== undefined) return v.stringValue;
  }
  return null;
}
