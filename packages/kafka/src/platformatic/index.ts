/**
 * `@oncely/kafka/platformatic`: the `@platformatic/kafka` binding. It runs oncely's
 * client-neutral processors over a consumer's `MessagesStream`:
 *
 * - {@link consumeStream}: a record per message key, claimed before the handler runs, with
 *   claims ahead within what the stream has fetched (`claimAhead: 0`: one at a time)
 * - {@link consumeStreamWithWatermarks}: one conditional write per partition per batch
 *
 * The stream and consumer types are structural, so nothing here imports the client at run time.
 */
export {
  type ConsumeStreamOptions,
  type ConsumeWatermarksOptions,
  consumeStream,
  consumeStreamWithWatermarks,
  type OncelyStreamConsumption,
  type OncelyWatermarkConsumption,
  type StreamRunOptions,
} from './consume.js';
export type { PlatformaticKafkaMessage } from './message.js';
export type { StreamConsumption } from './runner.js';
export type {
  PlatformaticCommitOffset,
  PlatformaticConsumer,
  PlatformaticGroupEvent,
  PlatformaticMessage,
  PlatformaticStream,
} from './types.js';
