/**
 * Turns handler results into strings for the store and back. The default is JSON;
 * plug in another (superjson, devalue, a schema codec) for Dates, Maps or BigInt.
 */
export interface ResultSerializer {
  serialize(value: unknown): string;
  deserialize(text: string): unknown;
}

/**
 * JSON serializer. `undefined` is stored as the empty string and read back as
 * `undefined`, so a handler that returns nothing replays nothing.
 */
export const jsonSerializer: ResultSerializer = {
  serialize: (value) => (value === undefined ? '' : JSON.stringify(value)),
  deserialize: (text) => (text === '' ? undefined : JSON.parse(text)),
};
