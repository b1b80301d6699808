import { afterAll, describe, expect, it } from 'vitest';
import { watchConsumerLag } from '../../app/kafka-consumer-lag.js';
import { fetchConsumerLag } from '../../projections/feed/consumer-lag.js';
import { createMetrics } from '../../app/metrics.js';
import { ensureFanOutTopic } from '../../projections/feed/fan-out-topic.js';
import { kafkaClient, testKafkaBrokers, testTopicName } from '../support/kafka.js';

// The consumer lag of kafka_consumer_lag against the real broker: messages on each partition not
// yet committed by the group, counted from the oldest kept while it has committed nothing, down
// to nothing once its offsets reach the ends; and the figures reach /metrics labelled by topic,
// partition and group.
const brokers = testKafkaBrokers();
if (brokers.length === 0) console.warn('[kafka-consumer-lag] skipped: no Kafka broker (run `npm run services:up`)');

describe.skipIf(brokers.length === 0)('Kafka consumer lag', () => {
  const kafka = kafkaClient(brokers);
  const admin = kafka.admin();
  const topic = testTopicName();
  const group = `${topic}-workers`;
  afterAll(() => admin.disconnect());

  const lagByPartition = async () => Object.fromEntries((await fetchConsumerLag(admin, { group, topic })).map(({ partition, lag }) => [partition, lag]));

  it('counts the messages each partition holds past the group offset', async () => {
    await ensureFanOutTopic(kafka, { topic, partitions: 3, replicationFactor: 1 });
    await admin.connect();
    const producer = kafka.producer();
    await producer.connect();
    const to = (partition: number, count: number) => Array.from({ length: count }, (_, i) => ({ partition, value: `m${i}` }));
    await producer.send({ topic, acks: -1, messages: [...to(0, 5), ...to(1, 2)] });
    await producer.disconnect();
    expect(await lagByPartition()).toEqual({ 0: 5, 1: 2, 2: 0 }); // nothing committed: all of them

    // As a consumer commits: partition 0 part of the way, partition 1 to its end. (setOffsets joins the group: seconds.)
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '1' }, { partition: 1, offset: '2' }] });
    expect(await lagByPartition()).toEqual({ 0: 4, 1: 0, 2: 0 });

    // The watch polls it into /metrics, one series per partition; a topic that does not exist adds none.
    const watch = watchConsumerLag(brokers, [{ group, topic }, { group: 'nobody-workers', topic: testTopicName() }], 60_000);
    try {
      await watch.poll();
      const metrics = createMetrics();
      metrics.watchKafkaLag(() => watch.current());
      const text = await metrics.registry.metrics();
      const series = text.split('\n').filter((line) => line.startsWith('kafka_consumer_lag{'));
      expect(series.sort()).toEqual(
        [0, 1, 2].map((partition) => `kafka_consumer_lag{topic="${topic}",partition="${partition}",group="${group}"} ${partition === 0 ? 4 : 0}`).sort(),
      );
    } finally {
      await watch.stop();
    }
  });
});
