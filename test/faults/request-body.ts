/**
 * Reads the little the fault proxy needs from DynamoDB's JSON bodies: which item a
 * request addresses, and which error an answer carries. Bodies that do not parse
 * read as unknown rather than failing the proxy.
 */

/** What DynamoDB answered to a forwarded request. */
export interface UpstreamAnswer {
  readonly status: number;
  /** The error name of a non-2xx answer, e.g. `ConditionalCheckFailedException`. */
  readonly errorType: string | undefined;
}

type AttributeMap = Record<string, { S?: string } | undefined>;

interface WriteRequestBody {
  Item?: AttributeMap;
  Key?: AttributeMap;
  TransactItems?: {
    Put?: { Item?: AttributeMap };
    Update?: { Key?: AttributeMap };
    Delete?: { Key?: AttributeMap };
    ConditionCheck?: { Key?: AttributeMap };
  }[];
}

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The string key (`keyAttribute`) of the item a request writes or reads; for a
 * transaction, of its first item (oncely puts the dedup record first).
 */
export function requestKey(body: Buffer, keyAttribute: string): string | undefined {
  const parsed = parse(body) as WriteRequestBody | undefined;
  if (parsed === undefined || parsed === null || typeof parsed !== 'object') return undefined;
  const first = parsed.TransactItems?.[0];
  const attributes =
    parsed.Item ??
    parsed.Key ??
    first?.Put?.Item ??
    first?.Update?.Key ??
    first?.Delete?.Key ??
    first?.ConditionCheck?.Key;
  return attributes?.[keyAttribute]?.S;
}

/** The error name in a DynamoDB error body (`__type` after the `#`), if any. */
export function upstreamErrorType(body: Buffer): string | undefined {
  const parsed = parse(body) as { __type?: unknown } | undefined;
  const type = parsed?.__type;
  return typeof type === 'string' ? type.slice(type.lastIndexOf('#') + 1) : undefined;
}
