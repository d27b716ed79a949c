/**
 * A handler that says when it has started and then waits until the test opens the
 * gate: to hold a key's claim (or a transaction) open at a chosen moment.
 */
export function gate() {
  let open!: () => void;
  let started!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  return {
    /** Lets the held handler finish. */
    open,
    /** Resolves once the handler has started. */
    running,
    /** The handler: resolves to `value` once the gate is open. */
    handler: async <T>(value: T): Promise<T> => {
      started();
      await opened;
      return value;
    },
  };
}
