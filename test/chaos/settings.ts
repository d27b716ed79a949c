/**
 * How hard a chaos run pushes: the full run for `npm run chaos`, and a quick one for
 * CI (`npm run chaos -- --quick`). Every rate is a share of handler runs or messages.
 */

/** The knobs of one broker's chaos run. */
export interface ChaosSettings {
  /** Distinct events sent (each is one key). */
  readonly events: number;
  /** Share of events the producer sends twice (same event ID, a new message). */
  readonly duplicateRate: number;
  /** The producer spreads its sends over this long, so crashes hit a busy run. */
  readonly produceOverMs: number;
  /** Competing worker processes (SQS) or consumer-group members (Kafka). */
  readonly workers: number;
  /** Share of handler runs that throw (before their effect). */
  readonly throwRate: number;
  /** Share of handler runs slower than their lease. */
  readonly slowRate: number;
  /** The lease, in ms; on SQS also the visibility timeout. */
  readonly leaseMs: number;
  /** How long an ordinary handler works, in ms. */
  readonly workMs: readonly [number, number];
  /** Time between two SIGKILLs of a worker while the producer sends, in ms. */
  readonly crashEveryMs: readonly [number, number];
  /** How long a killed worker stays down before it is restarted, in ms. */
  readonly restartAfterMs: number;
  /** Share of the store's DynamoDB requests the fault proxy faults. */
  readonly storeFaultRate: number;
  /** Give up waiting for the run to drain after this long (what is left is lost). */
  readonly deadlineMs: number;
}

/** The settings of a run, per broker, and of the store-fault runs. */
export interface ChaosPreset {
  readonly name: 'quick' | 'full';
  readonly sqs: ChaosSettings;
  readonly kafka: ChaosSettings;
  /**
   * The settings on the stores besides DynamoDB (PostgreSQL, Redis): the same in the full
   * run; smaller in the quick one, so the extra stores add about two minutes to CI.
   */
  readonly otherStores: { readonly sqs: ChaosSettings; readonly kafka: ChaosSettings };
  /** Messages per store-fault run. */
  readonly storeFaultMessages: number;
}

const common = {
  duplicateRate: 0.1,
  workers: 3,
  throwRate: 0.05,
  slowRate: 0.02,
  workMs: [2, 30],
  restartAfterMs: 500,
  storeFaultRate: 0.05,
} as const;

const quickSqs: ChaosSettings = {
  ...common,
  events: 400,
  produceOverMs: 20_000,
  leaseMs: 3_000,
  crashEveryMs: [3_000, 6_000],
  deadlineMs: 120_000,
};

const quickKafka: ChaosSettings = {
  ...common,
  events: 400,
  produceOverMs: 40_000,
  // A failed handler fails its batch, which Kafka then fetches again from that
  // message on: Kafka consumers retry far less often than SQS ones.
  throwRate: 0.01,
  slowRate: 0.01,
  leaseMs: 3_000,
  // A killed member holds its partitions until its session times out (6 s).
  crashEveryMs: [5_000, 8_000],
  deadlineMs: 150_000,
};

/** CI: a few minutes in all, still with every kind of fault. */
export const QUICK: ChaosPreset = {
  name: 'quick',
  sqs: quickSqs,
  kafka: quickKafka,
  // Half the events over half the time: still several SIGKILLs per run.
  otherStores: {
    sqs: { ...quickSqs, events: 200, produceOverMs: 10_000, crashEveryMs: [2_000, 4_000] },
    kafka: { ...quickKafka, events: 200, produceOverMs: 20_000, crashEveryMs: [4_000, 6_000] },
  },
  storeFaultMessages: 150,
};

const fullSqs: ChaosSettings = {
  ...quickSqs,
  events: 3_000,
  produceOverMs: 90_000,
  deadlineMs: 300_000,
};

const fullKafka: ChaosSettings = {
  ...quickKafka,
  events: 3_000,
  produceOverMs: 120_000,
  crashEveryMs: [6_000, 10_000],
  deadlineMs: 360_000,
};

/** `npm run chaos`: thousands of messages. */
export const FULL: ChaosPreset = {
  name: 'full',
  sqs: fullSqs,
  kafka: fullKafka,
  otherStores: { sqs: fullSqs, kafka: fullKafka },
  storeFaultMessages: 600,
};
