import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kraftClusterId } from './cluster-id.js';
import { dynamodbAnswers, kafkaAnswers, sqsAnswers } from './health.js';
import { ensureJars } from './maven.js';
import { freePort } from './ports.js';
import { launch, runToCompletion } from './processes.js';
import type { ServerKind, StartContext, StartedServer } from './types.js';

const DYNAMODB_LAUNCHER = fileURLToPath(
  new URL('./java/LoopbackDynamoDBLocal.java', import.meta.url),
);

/** Common JVM flags: bounded heap (three servers share a laptop), no AWT. */
const JVM_FLAGS = ['-Xms64m', '-Xmx512m', '-Djava.awt.headless=true'];

function classpath(jars: string): string {
  return join(jars, '*');
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

async function startDynamoDB(ctx: StartContext): Promise<StartedServer> {
  const jars = await ensureJars('dynamodb', ctx.log);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const proc = await launch({
    name: 'dynamodb',
    command: 'java',
    args: [
      ...JVM_FLAGS,
      // sqlite4java loads its native library from here (copied next to the jars by Maven).
      `-Djava.library.path=${jars}`,
      `-Dsqlite4java.library.path=${jars}`,
      '-cp',
      classpath(jars),
      DYNAMODB_LAUNCHER,
      // -sharedDb: one database whatever the credentials and region, like the Docker image.
      ...['-inMemory', '-sharedDb', '-disableTelemetry', '-port', String(port)],
    ],
    cwd: ctx.runDir,
    logFile: join(ctx.runDir, 'dynamodb.log'),
    ready: () => dynamodbAnswers(endpoint),
    timeoutMs: ctx.readyTimeoutMs,
  });
  ctx.log(`dynamodb: DynamoDB Local (JVM) ready at ${endpoint} in ${seconds(started)}`);
  return { kind: 'dynamodb', source: 'jvm', endpoint, stop: () => proc.stop() };
}

/** ElasticMQ config (HOCON); the defaults come from the reference.conf in its jar. */
function elasticMqConfig(port: number): string {
  return `# Written by oncely's test-server launcher.
# node-address is what queue URLs contain; keep it equal to where the server listens.
node-address { protocol = http, host = "127.0.0.1", port = ${port}, context-path = "" }
rest-sqs { enabled = true, bind-port = ${port}, bind-hostname = "127.0.0.1", sqs-limits = strict }
generate-node-address = false
aws { region = "us-east-1", accountId = "000000000000" }
`;
}

async function startSqs(ctx: StartContext): Promise<StartedServer> {
  const jars = await ensureJars('sqs', ctx.log);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const config = join(ctx.runDir, 'elasticmq.conf');
  await writeFile(config, elasticMqConfig(port));
  const started = Date.now();
  const proc = await launch({
    name: 'sqs',
    command: 'java',
    args: [
      ...JVM_FLAGS,
      `-Dconfig.file=${config}`,
      '-cp',
      classpath(jars),
      'org.elasticmq.server.Main',
    ],
    cwd: ctx.runDir,
    logFile: join(ctx.runDir, 'sqs.log'),
    ready: () => sqsAnswers(endpoint),
    timeoutMs: ctx.readyTimeoutMs,
  });
  ctx.log(`sqs: ElasticMQ (JVM) ready at ${endpoint} in ${seconds(started)}`);
  return { kind: 'sqs', source: 'jvm', endpoint, stop: () => proc.stop() };
}

/** A single KRaft node that is broker and controller; sized for tests, not durability. */
function kafkaProperties(port: number, controllerPort: number, logDir: string): string {
  return `# Written by oncely's test-server launcher.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${logDir}
auto.create.topics.enable=true
num.partitions=3
# One broker: internal topics cannot have more than one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
min.insync.replicas=1
# Fewer internal partitions: the first consumer group and transaction start in milliseconds.
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1
# Consumers join at once instead of waiting 3 s for more members.
group.initial.rebalance.delay.ms=0
# Lets rebalance and crash tests use short session timeouts.
group.min.session.timeout.ms=1000
`;
}

/** log4j 1 (reload4j) config: warnings only, plus the line that says the broker started. */
const KAFKA_LOG4J = `log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
`;

async function startKafka(ctx: StartContext): Promise<StartedServer> {
  const jars = await ensureJars('kafka', ctx.log);
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dataDir = join(ctx.runDir, 'kafka-data');
  await mkdir(dataDir, { recursive: true });
  const properties = join(ctx.runDir, 'kafka.properties');
  const log4j = join(ctx.runDir, 'kafka-log4j.properties');
  await writeFile(properties, kafkaProperties(port, controllerPort, dataDir));
  await writeFile(log4j, KAFKA_LOG4J);
  const logFile = join(ctx.runDir, 'kafka.log');
  const jvm = [...JVM_FLAGS, `-Dlog4j.configuration=file:${log4j}`, '-cp', classpath(jars)];
  const started = Date.now();
  // KRaft needs a formatted log directory with a cluster id.
  const clusterId = kraftClusterId();
  const format = ['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties];
  const spec = { name: 'kafka-format', command: 'java', cwd: ctx.runDir, logFile };
  await runToCompletion({ ...spec, args: [...jvm, ...format] }, ctx.readyTimeoutMs);
  const brokers = [`127.0.0.1:${port}`];
  const proc = await launch({
    ...spec,
    name: 'kafka',
    args: [...jvm, 'kafka.Kafka', properties],
    ready: () => kafkaAnswers(brokers),
    timeoutMs: ctx.readyTimeoutMs,
  });
  ctx.log(`kafka: Apache Kafka (JVM, KRaft) ready at ${brokers[0]} in ${seconds(started)}`);
  return { kind: 'kafka', source: 'jvm', endpoint: brokers, stop: () => proc.stop() };
}

/** Starts `kind` as a local JVM process from the Maven jars (fetched on first use). */
export function startJvmServer(kind: ServerKind, ctx: StartContext): Promise<StartedServer> {
  switch (kind) {
    case 'dynamodb':
      return startDynamoDB(ctx);
    case 'sqs':
      return startSqs(ctx);
    case 'kafka':
      return startKafka(ctx);
  }
}
