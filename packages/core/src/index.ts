export { type Clock, ManualClock, systemClock } from './clock.js';
export type { RunContext } from './context.js';
export { createDeduper, type Deduper, type RunOptions } from './deduper.js';
export { type Duration, parseDuration } from './duration.js';
export {
  FingerprintMismatchError,
  InProgressError,
  InvalidEffectError,
  InvalidInputError,
  InvalidKeyError,
  InvalidOptionError,
  KeyReadError,
  LeaseLostError,
  OncelyError,
  type OncelyErrorContext,
  ResultTooLargeError,
  SerializationError,
  StoreError,
  type StoreOperation,
  TableNotFoundError,
} from './errors.js';
export {
  type EventBase,
  type OncelyEvent,
  type OncelyEventType,
  type OncelyLogger,
  silentLogger,
} from './events.js';
export { canonicalJson, fingerprintOf } from './fingerprint.js';
export { assertValidKey, MAX_PLAIN_KEY_BYTES, toStoreKey } from './keys.js';
export { consoleLogger, type ObjectFirstLogger, pinoLogger } from './loggers.js';
export { type MemoryEffect, MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { DEDUPER_DEFAULTS, type DeduperOptions } from './options.js';
export type { ClaimedRun, ReadyRun } from './ready-run.js';
export {
  claimEachKeyOnce,
  claimRecord,
  committedRecord,
  expiresAtFor,
  isClaimable,
  isExpired,
  isLeaseLive,
  laterCopyOutcome,
} from './record.js';
export type { DuplicateRunResult, RunResult } from './result.js';
export { type Backoff, retryDelayMs, sleep } from './retry.js';
export { jsonSerializer, type ResultSerializer } from './serializer.js';
export type {
  BatchResults,
  ClaimItem,
  ClaimOptions,
  ClaimOutcome,
  CommitOptions,
  CommitOutcome,
  CompleteItem,
  CompleteOptions,
  DedupRecord,
  DedupStore,
  ExtendOptions,
  FencedOutcome,
  RecordStatus,
  ReleaseItem,
} from './store.js';
export type {
  OncelyTelemetry,
  TelemetryAttributes,
  TelemetryBatch,
  TelemetryBatchOutcome,
  TelemetryHandlerRun,
  TelemetryMessage,
  TelemetryOutcome,
  TelemetryScope,
  TelemetryStoreCall,
  TraceCarrier,
} from './telemetry.js';
export { newToken } from './token.js';
export type { AdvanceOutcome, Watermark, WatermarkStore, WatermarkUpdate } from './watermark.js';
