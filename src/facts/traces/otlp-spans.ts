/**
 * Database spans out of OpenTelemetry OTLP/JSON files: one ExportTraceServiceRequest document, or one per line
 * (the collector's file exporter). Both the stable database conventions (`db.query.text`, `db.system.name`) and
 * the legacy ones (`db.statement`, `db.system`) are read; spans without query text are not database calls.
 */
import { InputError } from "../../util/input-error.js";
import { refuseBinary } from "../../util/read-input.js";

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

/**
 * Read OTLP/JSON as it streams in. A file whose first line is a whole document is JSON lines (the collector's
 * file exporter), read one line at a time in bounded memory; otherwise it is one document (pretty-printed),
 * parsed at the end.
 */
export async function readOtlpStream(
  name: string,
  chunks: AsyncIterable<string> | Iterable<string>,
  into: SpanIndex,
): Promise<void> {
  let mode: "lines" | "whole" | null = null;
  let rest = "";
  let lineNo = 0;
  let documents = 0;
  const whole: string[] = [];
  const line = (text: string) => {
    lineNo++;
    if (!text.trim()) return;
    let doc: ExportRequest;
    try {
      doc = JSON.parse(text) as ExportRequest;
    } catch {
      if (mode === null) {
        mode = "whole";
        return;
      }
      throw new InputError(
        `${name}:${lineNo} is not JSON`,
        "give OTLP/JSON: one document, or one document per line",
      );
    }
    mode = "lines";
    if (addDocument(doc, into)) documents++;
  };
  let first = true;
  for await (const chunk of chunks) {
    // Binary input (an image, a core dump) is named as such, not quoted in a JSON parser's error.
    if (first) refuseBinary(chunk.slice(0, 4096), name, "OTLP/JSON traces");
    first = false;
    if (mode === "whole") {
      whole.push(chunk);
      continue;
    }
    const text = rest + chunk;
    const lines = text.split("\n");
    rest = lines.pop() ?? "";
    for (const l of lines) {
      line(l);
      if (mode === "whole") break;
    }
    // The first line is not a document of its own: keep everything for one parse at the end.
    if (mode === "whole") {
      whole.push(text);
      rest = "";
    }
  }
  if (mode !== "whole" && rest) line(rest);
  if (mode === "whole") {
    let parsed: ExportRequest | ExportRequest[];
    try {
      parsed = JSON.parse(whole.join("")) as ExportRequest | ExportRequest[];
    } catch (error) {
      throw new InputError(
        `${name} is not JSON (${error instanceof Error ? error.message : String(error)})`,
        "give OTLP/JSON: one document, or one document per line",
      );
    }
    for (const doc of Array.isArray(parsed) ? parsed : [parsed]) if (addDocument(doc, into)) documents++;
  }
  // No line with text: neither mode was chosen.
  if (mode === null) throw new InputError(`${name} is empty`, "give an OTLP/JSON traces file");
  if (documents === 0)
    throw new InputError(
      `${name} holds no OTLP/JSON trace data (no "resourceSpans")`,
      "export traces as OTLP/JSON, e.g. with the collector's file exporter (format: json)",
    );
}

/** The spans of one ExportTraceServiceRequest; false when it is not one. */
function addDocument(doc: ExportRequest, into: SpanIndex): boolean {
  if (!doc || typeof doc !== "object" || !Array.isArray(doc.resourceSpans)) return false;
  for (const rs of doc.resourceSpans) {
    const service = attribute(rs.resource?.attributes, ["service.name"]);
    for (const scope of [...(rs.scopeSpans ?? []), ...(rs.instrumentationLibrarySpans ?? [])])
      for (const span of scope.spans ?? []) add(span, service, into);
  }
  return true;
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
