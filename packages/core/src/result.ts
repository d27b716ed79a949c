import type { DedupRecord } from './store.js';

/** What a run did, discriminated by `status`. */
export type RunResult<T> =
  | {
      /** The handler ran now and its record was completed. */
      readonly status: 'processed';
      readonly key: string;
      readonly storeKey: string;
      readonly result: T;
    }
  | {
      /** The key was already completed: the handler did not run (or, transactional, its effects were discarded). */
      readonly status: 'duplicate';
      readonly key: string;
      readonly storeKey: string;
      /** The stored result when `storeResult` is on, else `undefined`. */
      readonly result: T | undefined;
      readonly record: DedupRecord;
    };

/** The `duplicate` case of {@link RunResult}. */
export type DuplicateRunResult<T> = Extract<RunResult<T>, { readonly status: 'duplicate' }>;
