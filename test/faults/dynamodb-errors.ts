/**
 * The error responses DynamoDB sends, as the AWS SDK parses them (AWS JSON 1.0):
 * the error name comes from the `x-amzn-ErrorType` header or the body's `__type`,
 * and the SDK's retry strategy classifies it by that name and the HTTP status.
 */

/** One canned DynamoDB error response. */
export interface DynamoDBErrorResponse {
  readonly status: number;
  readonly errorType: string;
  readonly body: string;
}

function errorResponse(
  status: number,
  errorType: string,
  namespace: string,
  message: string,
): DynamoDBErrorResponse {
  return {
    status,
    errorType,
    body: JSON.stringify({ __type: `${namespace}#${errorType}`, message }),
  };
}

/** Request-rate throttling (the SDK retries it as a throttling error, with backoff). */
export const THROTTLING_EXCEPTION = errorResponse(
  400,
  'ThrottlingException',
  'com.amazon.coral.availability',
  'Rate of requests exceeds the allowed throughput.',
);

/** Provisioned-capacity throttling, what a table past its WCU/RCU gets. */
export const PROVISIONED_THROUGHPUT_EXCEEDED = errorResponse(
  400,
  'ProvisionedThroughputExceededException',
  'com.amazonaws.dynamodb.v20120810',
  'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
);

/** A server fault: HTTP 500, retried by the SDK as a transient error. */
export const INTERNAL_SERVER_ERROR = errorResponse(
  500,
  'InternalServerError',
  'com.amazonaws.dynamodb.v20120810',
  'Internal server error',
);

/** The headers DynamoDB sends with an error response. */
export function errorHeaders(error: DynamoDBErrorResponse, requestId: string) {
  return {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(Buffer.byteLength(error.body)),
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': error.errorType,
  };
}
