import type { KafkaMessage } from '../src/index.js';
import type { EachBatchPayload, EachMessagePayload } from '../src/kafkajs/index.js';

/** A message at `offset` with a JSON value and optional headers. */
export function message(
  offset: number | string,
  value: unknown = { n: Number(offset) },
  headers: Record<string, string> = {},
): KafkaMessage {
  return {
    offset: String(offset),
    key: null,
    value:
      value === null
        ? null
        : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
    timestamp: '0',
  };
}

/** Messages at consecutive offsets from `from`. */
export function messages(from: number, count: number): KafkaMessage[] {
  return Array.from({ length: count }, (_, i) => message(from + i));
}

/** An `eachBatch` payload that records what the handler did with it. */
export function batchPayload(
  batch: readonly KafkaMessage[],
  { topic = 'orders', partition = 0 } = {},
) {
  const state = { resolved: [] as string[], heartbeats: 0, running: true, stale: false };
  const payload: EachBatchPayload = {
    batch: { topic, partition, messages: batch },
    resolveOffset: (offset) => {
      state.resolved.push(offset);
    },
    heartbeat: async () => {
      state.heartbeats++;
    },
    isRunning: () => state.running,
    isStale: () => state.stale,
  };
  return { payload, state };
}

/** An `eachMessage` payload. */
export function messagePayload(
  msg: KafkaMessage,
  { topic = 'orders', partition = 0 } = {},
): EachMessagePayload {
  return { topic, partition, message: msg, heartbeat: async () => {} };
}
