import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
} from '@aws-lambda-powertools/idempotency';
import {
  BasePersistenceLayer,
  IdempotencyRecord,
} from '@aws-lambda-powertools/idempotency/persistence';

/**
 * The smallest in-memory persistence layer for Powertools' idempotency utility: its
 * four storage methods over a Map, with the same claim rules as its DynamoDB layer
 * (absent, expired, or in progress past its in-progress expiry), so the engine
 * benchmark measures Powertools' own logic and not a store.
 *
 * @example
 * const processOnce = makeIdempotent(handler, { persistenceStore: new MapPersistenceLayer(), config });
 */
export class MapPersistenceLayer extends BasePersistenceLayer {
  readonly records = new Map<string, IdempotencyRecord>();

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    if (existing !== undefined && !isClaimable(existing, Date.now())) {
      throw new IdempotencyItemAlreadyExistsError(
        `Failed to put record for already existing idempotency key: ${record.idempotencyKey}`,
        existing,
      );
    }
    this.records.set(record.idempotencyKey, record);
  }

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const record = this.records.get(idempotencyKey);
    if (record === undefined) throw new IdempotencyItemNotFoundError();
    return record;
  }

  /** Like DynamoDB's `UpdateItem ... SET`: keeps the attributes the update does not name. */
  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    this.records.set(
      record.idempotencyKey,
      new IdempotencyRecord({
        idempotencyKey: record.idempotencyKey,
        status: record.getStatus(),
        expiryTimestamp: record.expiryTimestamp,
        inProgressExpiryTimestamp: existing?.inProgressExpiryTimestamp,
        responseData: record.responseData,
        payloadHash: record.payloadHash,
      }),
    );
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
  }
}

function isClaimable(existing: IdempotencyRecord, nowMs: number): boolean {
  if (existing.isExpired()) return true;
  return (
    existing.getStatus() === IdempotencyRecordStatus.INPROGRESS &&
    existing.inProgressExpiryTimestamp !== undefined &&
    existing.inProgressExpiryTimestamp < nowMs
  );
}
