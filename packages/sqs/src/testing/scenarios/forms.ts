import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import type { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { DedupStore } from '@oncely/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createSqsHandler } from '../../lambda/handler.js';
import { sqsDedupMiddleware } from '../../lambda/middy.js';
import { createRecordHandler } from '../../lambda/record-handler.js';
import type { RecordOutcome } from '../../outcome.js';
import { createDedupConsumer } from '../../worker/consumer.js';
import { createSqsEventSource, type LambdaSqsHandler } from '../event-source.js';
import type { TestQueue } from '../sqs-server/queues.js';

/** The four SQS forms the scenario suite runs. */
export const SQS_FORMS = ['lambda', 'middy', 'powertools', 'worker'] as const;

/**
 * An SQS form: `createSqsHandler` (`lambda`), `sqsDedupMiddleware` around a batch handler
 * (`middy`), `createRecordHandler` under Powertools' `processPartialResponse`
 * (`powertools`), and `createDedupConsumer` (`worker`, sqs-consumer).
 */
export type SqsForm = (typeof SQS_FORMS)[number];

/**
 * Where a form cannot behave like the others because of its host library. The scenario
 * tests read this table; the README's "What each form can do" states the same.
 */
export interface SqsFormLimits {
  /**
   * A producer's copy inside one standard batch (same key, another message ID).
   * `'same batch'`: it runs after the first copy and is acknowledged as a duplicate in
   * that batch. `'redelivery'`: the host hands the batch's messages to oncely one call
   * each, all at once (Powertools' `BatchProcessor` in parallel, sqs-consumer's
   * `handleMessage`), so the copy finds the first copy's live claim, fails with
   * `InProgressError`, and is acknowledged as a duplicate when it comes back.
   */
  readonly inBatchCopy: 'same batch' | 'redelivery';
  /**
   * How a handler's error reaches oncely. `'as thrown'`: the per-message handler's own
   * error. `'reported'`: middy's batch handler answers with `batchItemFailures`, so the
   * record fails with `ReportedFailureError` (the batch handler keeps its error).
   */
  readonly handlerError: 'as thrown' | 'reported';
  /**
   * Who stops a FIFO group at its first failure. `'oncely'`: the form itself.
   * `'processor'`: Powertools' `SqsFifoPartialProcessorAsync` (with `skipGroupOnError`,
   * so other groups go on). `'batch handler'`: middy's batch handler must (oncely only
   * stops a group at a claim that fails before the handler).
   */
  readonly fifoGroupStop: 'oncely' | 'processor' | 'batch handler';
}

/** The limits of each form, in one place. */
export const SQS_FORM_LIMITS: Readonly<Record<SqsForm, SqsFormLimits>> = {
  lambda: { inBatchCopy: 'same batch', handlerError: 'as thrown', fifoGroupStop: 'oncely' },
  middy: { inBatchCopy: 'same batch', handlerError: 'reported', fifoGroupStop: 'batch handler' },
  powertools: { inBatchCopy: 'redelivery', handlerError: 'as thrown', fifoGroupStop: 'processor' },
  worker: { inBatchCopy: 'redelivery', handlerError: 'as thrown', fifoGroupStop: 'oncely' },
};

/** One message as the scenario's work sees it, whatever the form. */
export interface WorkMessage {
  readonly messageId: string;
  readonly body: string;
  /** FIFO only. */
  readonly groupId: string | undefined;
}

/** What a form run is made of. Internal. */
export interface FormSetup {
  /** The client the form receives and deletes with (the suite watches it). */
  readonly client: SQSClient;
  readonly queue: TestQueue;
  readonly fifo: boolean;
  readonly store: DedupStore;
  readonly namespace: string;
  readonly key: 'messageId' | { readonly field: string };
  readonly onOutcome: (outcome: RecordOutcome<unknown>) => void;
  /** The per-message effect; throws to fail the message. */
  readonly work: (message: WorkMessage) => Promise<void>;
}

/** A running form. Internal. */
export interface FormRun {
  /** Lets the form receive and handle once more (a poll, or a moment of the worker's loop). */
  step(): Promise<void>;
  /** Stops receiving and waits for what is in flight. */
  stop(): Promise<void>;
}

/** Starts `form` on the queue. Internal. */
export function startForm(form: SqsForm, setup: FormSetup): FormRun {
  switch (form) {
    case 'lambda':
      return lambdaRun(setup);
    case 'middy':
      return middyRun(setup);
    case 'powertools':
      return powertoolsRun(setup);
    case 'worker':
      return workerRun(setup);
  }
}

/** The options every form gets: the store, namespace, key and outcome sink of the test. */
function shared(setup: FormSetup) {
  const { store, namespace, key, onOutcome } = setup;
  return { store, namespace, key, onOutcome };
}

const fromRecord = (record: SQSRecord): WorkMessage => ({
  messageId: record.messageId,
  body: record.body,
  groupId: record.attributes?.MessageGroupId,
});

/**
 * Lambda's event source mapping on the real queue; failures come back at once (their
 * visibility set to 0) rather than after the visibility timeout.
 */
function eventSourceRun(setup: FormSetup, handler: LambdaSqsHandler): FormRun {
  const source = createSqsEventSource({
    client: setup.client,
    queueUrl: setup.queue.url,
    handler,
    failureVisibilityTimeout: 0,
    context: { functionName: 'oncely-scenarios' },
  });
  return {
    step: async () => {
      await source.pollOnce();
    },
    stop: async () => {},
  };
}

function lambdaRun(setup: FormSetup): FormRun {
  return eventSourceRun(
    setup,
    createSqsHandler({ ...shared(setup), handler: (record) => setup.work(fromRecord(record)) }),
  );
}

function middyRun(setup: FormSetup): FormRun {
  const stopsGroups = setup.fifo && SQS_FORM_LIMITS.middy.fifoGroupStop === 'batch handler';
  const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(sqsDedupMiddleware(shared(setup)))
    .handler((event) => batchHandler(event.Records, setup.work, stopsGroups));
  return eventSourceRun(setup, handler);
}

/**
 * A batch handler as users write one: records in parallel, failures in
 * `batchItemFailures`; with `stopsGroups` (FIFO) one after another, and a group's records
 * after its first failure reported failed without running.
 */
async function batchHandler(
  records: readonly SQSRecord[],
  work: (message: WorkMessage) => Promise<void>,
  stopsGroups: boolean,
): Promise<SQSBatchResponse> {
  const failed: string[] = [];
  if (stopsGroups) {
    const stopped = new Set<string | undefined>();
    for (const record of records) {
      const message = fromRecord(record);
      if (stopped.has(message.groupId)) {
        failed.push(message.messageId);
        continue;
      }
      await work(message).catch(() => {
        stopped.add(message.groupId);
        failed.push(message.messageId);
      });
    }
  } else {
    const results = await Promise.allSettled(records.map((record) => work(fromRecord(record))));
    results.forEach((result, index) => {
      if (result.status === 'rejected') failed.push(records[index]?.messageId ?? '');
    });
  }
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}

function powertoolsRun(setup: FormSetup): FormRun {
  const recordHandler = createRecordHandler({
    ...shared(setup),
    handler: (record) => setup.work(fromRecord(record)),
  });
  const handler = (event: SQSEvent, context: Context) =>
    setup.fifo
      ? processPartialResponse(event, recordHandler, new SqsFifoPartialProcessorAsync(), {
          context,
          skipGroupOnError: true,
        })
      : processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
          context,
        });
  return eventSourceRun(setup, handler);
}

/**
 * sqs-consumer polling the real queue; a failure thrown to it comes back at once
 * (`terminateVisibilityTimeout`), a FIFO batch's failures after the visibility timeout.
 */
function workerRun(setup: FormSetup): FormRun {
  const consumer = createDedupConsumer({
    ...shared(setup),
    consumer: {
      queueUrl: setup.queue.url,
      sqs: setup.client,
      batchSize: 10,
      waitTimeSeconds: 1,
      terminateVisibilityTimeout: true,
    },
    handler: (message) =>
      setup.work({
        messageId: message.MessageId ?? '',
        body: message.Body ?? '',
        groupId: message.Attributes?.MessageGroupId,
      }),
  });
  // Receive errors while stopping are expected; without a listener they would throw.
  consumer.on('error', () => {});
  consumer.start();
  return {
    step: () => new Promise((resolve) => setTimeout(resolve, 50)),
    stop: async () => {
      consumer.stop();
      // Until the last receive and the handlers it started have finished (10 s at most).
      const deadline = Date.now() + 10_000;
      while (consumer.status.isPolling && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
