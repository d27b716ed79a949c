/**
 * Runs one Kafka contender in a child process and prints its `Consumption` as one JSON
 * line: the scenario's way to measure a client that needs another Node than the one
 * running the bench (@platformatic/kafka needs Node 22.22 or 24.6). Its argument is
 * the JSON of `{ contender, run }`.
 */
import { contenderNamed } from '../contenders/kafka-contenders.js';
import { type ConsumeRun, consume } from './kafka-consume.js';

const { contender, run } = JSON.parse(process.argv[2] ?? '{}') as {
  contender: string;
  run: ConsumeRun;
};
const consumption = await consume(contenderNamed(contender), run);
process.stdout.write(`${JSON.stringify(consumption)}\n`);
