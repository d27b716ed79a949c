import { OncelyError } from '@oncely/core';
import { type WatermarkOperation, WatermarkStoreError } from '../errors.js';

/**
 * Calls a watermark store, turning anything but oncely's own errors into a
 * {@link WatermarkStoreError} with the store, operation and key, so a store failure
 * can never pass for an outcome. Internal.
 */
export async function callWatermarks<T>(
  storeName: string,
  operation: WatermarkOperation,
  key: string,
  run: () => Promise<T>,
  isRetryable: (cause: unknown) => boolean = () => true,
): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    if (cause instanceof OncelyError) throw cause;
    throw watermarkFault(storeName, operation, key, cause, isRetryable(cause));
  }
}

/** The typed error for a failed watermark operation. Internal. */
export function watermarkFault(
  storeName: string,
  operation: WatermarkOperation,
  key: string,
  cause: unknown,
  retryable: boolean,
): WatermarkStoreError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new WatermarkStoreError(
    `Watermark store "${storeName}" failed to ${operation} "${key}": ${reason}`,
    operation,
    retryable,
    key,
    cause,
  );
}
