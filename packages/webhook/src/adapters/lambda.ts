import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { WebhookHandler } from '../handler.js';

/** A Lambda handler for Function URLs and API Gateway HTTP APIs (payload format 2.0). */
export type LambdaWebhookHandler = (
  event: APIGatewayProxyEventV2,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<APIGatewayProxyStructuredResultV2>;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A Lambda handler for a webhook receiver behind a Function URL or an API Gateway
 * HTTP API (payload format 2.0). The event becomes a Fetch `Request` (base64 bodies
 * decoded to their exact bytes, cookies folded back into `Cookie`), and the
 * `Response` becomes the structured result (binary bodies base64, `Set-Cookie` into
 * `cookies`). The lease is capped by the invocation's remaining time, so a claim
 * never outlives the function that holds it.
 *
 * @example
 * import { createWebhookHandler, stripeWebhooks } from '@oncely/webhook';
 * import { lambdaWebhook } from '@oncely/webhook/lambda';
 * import { DynamoDBStore } from '@oncely/dynamodb';
 *
 * export const handler = lambdaWebhook(createWebhookHandler({
 *   provider: stripeWebhooks({ secret: process.env.STRIPE_WEBHOOK_SECRET! }),
 *   store: new DynamoDBStore({ tableName: 'oncely' }),
 *   namespace: 'stripe',
 *   handler: async ({ payload }) => { await fulfil(payload); },
 * }));
 */
export function lambdaWebhook(handler: WebhookHandler): LambdaWebhookHandler {
  return async (event, context) => {
    const remaining = context?.getRemainingTimeInMillis();
    const leaseMs =
      remaining !== undefined && remaining > 0
        ? Math.min(handler.deduper.leaseMs, remaining)
        : undefined;
    const response = await handler.fetch(
      toRequest(event),
      leaseMs === undefined ? {} : { leaseMs },
    );
    return toResult(response);
  };
}

function toRequest(event: APIGatewayProxyEventV2): Request {
  const method = event.requestContext.http.method.toUpperCase();
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers.set(name, value);
  }
  if (event.cookies?.length) headers.set('cookie', event.cookies.join('; '));
  const host = event.requestContext.domainName || headers.get('host') || 'localhost';
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  const url = `https://${host}${event.rawPath || '/'}${query}`;
  const hasBody = event.body !== undefined && method !== 'GET' && method !== 'HEAD';
  return new Request(url, {
    method,
    headers,
    ...(hasBody
      ? { body: Buffer.from(event.body as string, event.isBase64Encoded ? 'base64' : 'utf8') }
      : {}),
  });
}

async function toResult(response: Response): Promise<APIGatewayProxyStructuredResultV2> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = decodeUtf8(bytes);
  return {
    statusCode: response.status,
    headers,
    ...(cookies.length > 0 ? { cookies } : {}),
    // Text goes as is; anything that is not valid UTF-8 goes base64, byte for byte.
    body: text ?? Buffer.from(bytes).toString('base64'),
    isBase64Encoded: text === undefined,
  };
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
