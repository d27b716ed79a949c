/**
 * `@oncely/sqs/testing/scenarios`: the SQS forms scenario suite. It runs the same
 * scenarios against every SQS form (`createSqsHandler`, the middy middleware, the
 * Powertools record handler, the sqs-consumer worker) on real queues, with the store you
 * give it, so a store (or a change to a form) is checked the way messages really arrive.
 * Needs vitest, `@aws-sdk/client-sqs`, `@middy/core`, `sqs-consumer` and
 * `@aws-lambda-powertools/batch`, and an SQS server (ElasticMQ, LocalStack).
 *
 * @example
 * import { describeSqsScenarios } from '@oncely/sqs/testing/scenarios';
 *
 * describeSqsScenarios('MemoryStore', {
 *   store: () => new MemoryStore(),
 *   sqs: () => new SQSClient({ endpoint: 'http://127.0.0.1:9324', region: 'us-east-1' }),
 * });
 */
import { randomUUID } from 'node:crypto';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { createDeduper, type DedupStore, InProgressError, StoreError } from '@oncely/core';
import { spyStore } from '@oncely/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MessageBodyError, ReportedFailureError } from '../../errors.js';
import type { RecordOutcome } from '../../outcome.js';
import {
  type CreateQueueOptions,
  createQueue,
  deleteQueue,
  type OutgoingMessage,
  receiveVisible,
  sendMessages,
  type TestQueue,
} from '../sqs-server/queues.js';
import {
  type FormRun,
  SQS_FORM_LIMITS,
  SQS_FORMS,
  type SqsForm,
  startForm,
  type WorkMessage,
} from './forms.js';
import { type QueueWatch, watchQueue } from './watch.js';

export { SQS_FORM_LIMITS, SQS_FORMS, type SqsForm, type SqsFormLimits } from './forms.js';

/** Options of {@link describeSqsScenarios}. */
export interface SqsScenarioOptions {
  /** Makes the store, once for the suite; each test uses its own namespace. */
  readonly store: () => DedupStore | Promise<DedupStore>;
  /** Tears the store down after the suite. */
  readonly teardown?: () => Promise<void> | void;
  /**
   * Makes a client of the SQS server to make the queues on. Called once for the suite and
   * once per test, whose client the suite watches (what it receives and deletes).
   */
  readonly sqs: () => SQSClient;
  /** The forms to run. @default SQS_FORMS (all four) */
  readonly forms?: readonly SqsForm[];
  /** How long a scenario waits for the queue at each step. @default 30_000 */
  readonly timeoutMs?: number;
}

/** The key of the scenarios that read it from the body, as producers' event IDs. */
const BY_EVENT_ID = { field: 'eventId' } as const;

/** What one test sets up. */
interface ScenarioSettings {
  readonly queue?: Omit<CreateQueueOptions, 'prefix'>;
  /** @default 'messageId' */
  readonly key?: 'messageId' | { readonly field: string };
  /** @default the suite's store */
  readonly store?: DedupStore;
  /** The effect of one run; throw to fail it. `attempt` counts the runs of that message. */
  readonly work?: (message: WorkMessage, attempt: number) => void | Promise<void>;
}

/** A test's queue, form and what they did. */
interface Scenario {
  readonly queue: TestQueue;
  readonly namespace: string;
  /** Every outcome the form reported (`onOutcome`), in order. */
  readonly outcomes: RecordOutcome<unknown>[];
  /** Every run of the work, failed ones included. */
  readonly runs: WorkMessage[];
  /** The runs that returned: the effects. */
  readonly effects: WorkMessage[];
  readonly watch: QueueWatch;
  send(messages: readonly OutgoingMessage[]): Promise<string[]>;
  /** Lets the form consume (starting it the first time) until `done` holds. */
  consume(what: string, done: () => boolean | Promise<boolean>): Promise<void>;
  statusesOf(messageId: string): RecordOutcome<unknown>['status'][];
  /** The error of the message's first failed outcome. */
  firstError(messageId: string): unknown;
}

/**
 * The SQS scenarios every form must pass, on real queues, each form against the same
 * store: a redelivery of a processed message is skipped; a producer's copy inside one
 * batch runs once (acknowledged as a duplicate); a handler error releases the key and the
 * message runs again; a body that is not JSON, keyed by a body field, fails with
 * `MessageBodyError`, is never acknowledged and reaches the dead-letter queue; a copy
 * delivered while another delivery holds the key fails with `InProgressError` and never
 * runs; a FIFO group stops at its failure while other groups go on; a store outage fails
 * every message with `StoreError` and acknowledges none. Where a form cannot behave like
 * the others (its host library), {@link SQS_FORM_LIMITS} says how, and the tests expect that.
 *
 * @example
 * describeSqsScenarios('DynamoDBStore', {
 *   store: () => new DynamoDBStore({ client, tableName }),
 *   sqs: () => new SQSClient({ endpoint, region: 'us-east-1' }),
 * });
 */
export function describeSqsScenarios(name: string, options: SqsScenarioOptions): void {
  const forms = options.forms ?? SQS_FORMS;
  const timeoutMs = options.timeoutMs ?? 30_000;

  describe(`${name}: SQS scenarios`, () => {
    let store: DedupStore;
    let admin: SQSClient | undefined;
    const cleanups: (() => Promise<void>)[] = [];
    beforeAll(async () => {
      store = await options.store();
      admin = options.sqs();
    });
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    afterAll(async () => {
      admin?.destroy();
      await options.teardown?.();
    });
    const adminClient = () => {
      if (!admin) throw new Error('the SQS client is made in beforeAll: use it inside a test');
      return admin;
    };

    for (const form of forms) {
      const limits = SQS_FORM_LIMITS[form];

      /** Makes the test's queue and namespace; the form starts at the first `consume`. */
      async function scenario(settings: ScenarioSettings = {}): Promise<Scenario> {
        const client = adminClient();
        const queue = await createQueue(client, {
          prefix: `oncely-scenarios-${form}`,
          visibilityTimeout: 1,
          ...settings.queue,
        });
        cleanups.push(() => deleteQueue(client, queue));
        const formClient = options.sqs();
        const watch = watchQueue(formClient);
        let run: FormRun | undefined;
        cleanups.push(async () => {
          await run?.stop();
          formClient.destroy();
        });
        const namespace = `scenarios-${randomUUID()}`;
        const outcomes: RecordOutcome<unknown>[] = [];
        const runs: WorkMessage[] = [];
        const effects: WorkMessage[] = [];
        const attempts = new Map<string, number>();
        const outcomesOf = (messageId: string) =>
          outcomes.filter((outcome) => outcome.messageId === messageId);
        const work = async (message: WorkMessage) => {
          const attempt = (attempts.get(message.messageId) ?? 0) + 1;
          attempts.set(message.messageId, attempt);
          runs.push(message);
          await settings.work?.(message, attempt);
          effects.push(message);
        };
        return {
          queue,
          namespace,
          outcomes,
          runs,
          effects,
          watch,
          send: (messages) => sendMessages(client, queue, messages),
          async consume(what, done) {
            run ??= startForm(form, {
              client: formClient,
              queue,
              fifo: settings.queue?.fifo ?? false,
              store: settings.store ?? store,
              namespace,
              key: settings.key ?? 'messageId',
              onOutcome: (outcome) => outcomes.push(outcome),
              work,
            });
            const deadline = Date.now() + timeoutMs;
            while (!(await done())) {
              if (Date.now() > deadline) {
                throw new Error(
                  `${form}: no ${what} after ${timeoutMs} ms (outcomes: ${summary(outcomes)}; receives: ${JSON.stringify(watch.receives)})`,
                );
              }
              await run.step();
            }
          },
          statusesOf: (messageId) => outcomesOf(messageId).map((outcome) => outcome.status),
          firstError(messageId) {
            const failed = outcomesOf(messageId).find((outcome) => outcome.status === 'failed');
            return failed?.status === 'failed' ? failed.error : undefined;
          },
        };
      }

      const acknowledged = (s: Scenario, ids: readonly string[]) => () =>
        ids.every((id) => s.watch.acked.includes(id));

      describe(form, () => {
        const test = (title: string, body: () => Promise<void>) => it(title, body, timeoutMs * 3);

        test('skips a redelivery of a processed message: the handler ran once, the copy is acknowledged', async () => {
          const s = await scenario();
          const [id = ''] = await s.send([{ body: { eventId: 'evt-1' } }]);
          // Processed, but the acknowledgement is lost (a crash before the delete).
          s.watch.loseAcks(true);
          await s.consume('lost acknowledgement', () => s.watch.lost.includes(id));
          s.watch.loseAcks(false);
          await s.consume('acknowledged redelivery', acknowledged(s, [id]));
          expect(s.statusesOf(id)).toEqual(['processed', 'duplicate']);
          expect(s.runs.map((r) => r.messageId)).toEqual([id]);
          expect(s.watch.receiveCount(id)).toBe(2);
        });

        test(`runs a producer copy inside one batch once; the copy is acknowledged as a duplicate (${limits.inBatchCopy})`, async () => {
          const s = await scenario({ key: BY_EVENT_ID });
          const ids = await s.send([
            { body: { eventId: 'evt-1' } },
            { body: { eventId: 'evt-2' } },
            { body: { eventId: 'evt-1' } },
          ]);
          const [first = '', , copy = ''] = ids;
          await s.consume('acknowledgement of all three', acknowledged(s, ids));
          // One receive brought all three: the copies met inside one batch.
          expect([...(s.watch.receives[0] ?? [])].sort()).toEqual([...ids].sort());
          expect(s.effects.map((e) => JSON.parse(e.body).eventId).sort()).toEqual([
            'evt-1',
            'evt-2',
          ]);
          expect(s.runs).toHaveLength(2);
          if (limits.inBatchCopy === 'same batch') {
            expect([s.statusesOf(first), s.statusesOf(copy)]).toEqual([
              ['processed'],
              ['duplicate'],
            ]);
            expect(ids.map((id) => s.watch.receiveCount(id))).toEqual([1, 1, 1]);
          } else {
            // Run at once, one of the two finds the other's live claim.
            const refused = s.statusesOf(first)[0] === 'failed' ? first : copy;
            const ran = refused === first ? copy : first;
            expect([s.statusesOf(ran), s.statusesOf(refused)]).toEqual([
              ['processed'],
              ['failed', 'duplicate'],
            ]);
            expect(s.firstError(refused)).toBeInstanceOf(InProgressError);
          }
        });

        test('releases the key on a handler error: the message comes back and runs again, its effect once', async () => {
          const boom = new Error('downstream unavailable');
          const s = await scenario({
            work: (_, attempt) => {
              if (attempt === 1) throw boom;
            },
          });
          const [id = ''] = await s.send([{ body: { eventId: 'evt-1' } }]);
          await s.consume('acknowledged retry', acknowledged(s, [id]));
          expect(s.statusesOf(id)).toEqual(['failed', 'processed']);
          if (limits.handlerError === 'as thrown') expect(s.firstError(id)).toBe(boom);
          else expect(s.firstError(id)).toBeInstanceOf(ReportedFailureError);
          expect([s.runs.length, s.effects.length]).toEqual([2, 1]);
          expect(s.watch.receiveCount(id)).toBe(2);
        });

        test('fails a body that is not JSON, keyed by a body field, with MessageBodyError: never acknowledged, then dead-lettered', async () => {
          const s = await scenario({ key: BY_EVENT_ID, queue: { maxReceiveCount: 1 } });
          const body = '{"eventId": oops';
          const [id = ''] = await s.send([{ body }]);
          const deadLetter = s.queue.deadLetter as TestQueue;
          let moved: Message | undefined;
          await s.consume('message in the dead-letter queue', async () => {
            moved ??= (await receiveVisible(adminClient(), deadLetter, 0))[0];
            return moved !== undefined;
          });
          expect(moved?.Body).toBe(body);
          expect(s.statusesOf(id)).toEqual(['failed']);
          expect(s.firstError(id)).toBeInstanceOf(MessageBodyError);
          expect(s.firstError(id)).toMatchObject({ messageId: id });
          expect(s.runs).toEqual([]);
          expect(s.watch.acked).toEqual([]);
        });

        test('refuses a copy while another delivery holds its key (InProgressError, not acknowledged); it never runs, and is a duplicate once the other completes', async () => {
          const s = await scenario({ key: BY_EVENT_ID });
          // Another delivery of evt-1, elsewhere, holds the key.
          const other = await createDeduper({ store, namespace: s.namespace }).claim('evt-1');
          if (other.status !== 'ready') throw new Error('evt-1 was not free');
          const [id = ''] = await s.send([{ body: { eventId: 'evt-1' } }]);
          await s.consume('refused delivery', () => s.statusesOf(id).length > 0);
          expect(s.watch.acked).toEqual([]);
          await other.run(() => 'done by the other delivery');
          await s.consume('acknowledged redelivery', acknowledged(s, [id]));
          const statuses = s.statusesOf(id);
          expect(statuses.at(-1)).toBe('duplicate');
          expect(statuses.slice(0, -1)).toEqual(statuses.slice(0, -1).map(() => 'failed'));
          expect(statuses.length).toBeGreaterThan(1);
          expect(s.firstError(id)).toBeInstanceOf(InProgressError);
          expect(s.runs).toEqual([]);
        });

        test(`FIFO: a failure stops its group there (${limits.fifoGroupStop}); the group's later messages are not acknowledged before it, other groups go on`, async () => {
          const s = await scenario({
            queue: { fifo: true },
            work: (message, attempt) => {
              if (message.body === 'a2' && attempt === 1) throw new Error('a2 failed once');
            },
          });
          const ids = await s.send([
            { body: 'a1', groupId: 'A' },
            { body: 'b1', groupId: 'B' },
            { body: 'a2', groupId: 'A' },
            { body: 'b2', groupId: 'B' },
            { body: 'a3', groupId: 'A' },
          ]);
          const [a1 = '', b1 = '', a2 = '', b2 = '', a3 = ''] = ids;
          await s.consume('acknowledgement of all five', acknowledged(s, ids));
          expect([...(s.watch.receives[0] ?? [])].sort()).toEqual([...ids].sort());
          const effectsOf = (group: string) =>
            s.effects.filter((e) => e.groupId === group).map((e) => e.body);
          expect(effectsOf('A')).toEqual(['a1', 'a2', 'a3']);
          expect(effectsOf('B')).toEqual(['b1', 'b2']);
          // a3 ran once, after a2 succeeded, and was not acknowledged at its first delivery.
          expect(s.runs.filter((r) => r.body === 'a3')).toHaveLength(1);
          expect(s.watch.receiveCount(a3)).toBe(2);
          expect(s.watch.acked.indexOf(a3)).toBeGreaterThan(s.watch.acked.indexOf(a2));
          expect([a1, b1, b2].map((id) => s.watch.receiveCount(id))).toEqual([1, 1, 1]);
        });

        test('fails every message with StoreError during a store outage and acknowledges none; they run once it is back', async () => {
          const spy = spyStore(store);
          spy.fail(undefined, new Error('store unavailable'));
          const s = await scenario({ store: spy.store, key: BY_EVENT_ID });
          const ids = await s.send([
            { body: { eventId: 'evt-1' } },
            { body: { eventId: 'evt-2' } },
          ]);
          await s.consume('refusal of both', () => ids.every((id) => s.statusesOf(id).length > 0));
          const refused = [...s.outcomes];
          expect(s.watch.acked).toEqual([]);
          expect(s.runs).toEqual([]);
          for (const outcome of refused) {
            expect(outcome.status === 'failed' && outcome.error).toBeInstanceOf(StoreError);
          }
          spy.heal();
          await s.consume('acknowledgement once the store is back', acknowledged(s, ids));
          expect(ids.map((id) => s.statusesOf(id).at(-1))).toEqual(['processed', 'processed']);
          expect(s.runs).toHaveLength(2);
        });
      });
    }
  });
}

function summary(outcomes: readonly RecordOutcome<unknown>[]): string {
  return (
    outcomes
      .map((outcome) => {
        const error = outcome.status === 'failed' ? outcome.error : undefined;
        const name = error instanceof Error ? `(${error.name})` : '';
        return `${outcome.messageId.slice(0, 8)} ${outcome.status}${name}`;
      })
      .join(', ') || 'none'
  );
}
