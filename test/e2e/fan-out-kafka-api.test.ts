import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/services/probe.js';
import { apiClient } from '../support/api-client.js';
import { eventually, testKafkaBrokers, testTopicName } from '../support/kafka.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The platform with KAFKA_BROKERS: a post reaches its followers' home feeds through the topic and
// the fan-out workers (role 'all' runs them); with the broker down, /ready names Kafka and
// commands keep working (fan-out is asynchronous).
const brokers = testKafkaBrokers();
if (brokers.length === 0) console.warn('[fan-out-kafka-api] first test skipped: no Kafka broker (run `npm run services:up`)');

const kafkaAt = (brokerList: string[]) => ({ brokers: brokerList, topic: testTopicName(), partitions: 2, replicationFactor: 1, sessionTimeoutMs: 6_000 });

describe.skipIf(brokers.length === 0)('home feeds fed through Kafka', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ redis: true, kafka: kafkaAt(brokers) });
  });
  afterAll(() => t?.close());

  it("puts a post in every follower's home feed, and in nobody else's", async () => {
    const api = apiClient(t.app);
    const [author, ann, bob, stranger] = [await api.register(), await api.register(), await api.register(), await api.register()];
    for (const follower of [ann, bob]) expect((await api.call('POST', `/api/v1/users/${author.username}/follow`, { token: follower.token })).status).toBe(200);
    const postId = await api.createPost(author);
    const homeFeed = async (user: typeof ann) => ((await api.call('GET', '/api/v1/feed/home', { token: user.token })).body.items as { id: string }[]).map((item) => item.id);
    await eventually('both followers see the post', async () => (await homeFeed(ann)).includes(postId) && (await homeFeed(bob)).includes(postId));
    expect(await homeFeed(ann)).toEqual([postId]);
    expect(await homeFeed(stranger)).toEqual([]);
    expect((await api.call('GET', '/ready')).body.backends.kafka).toBe('up');
  });
});

describe('with the Kafka broker down', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ kafka: kafkaAt([`127.0.0.1:${await freePort()}`]) });
  });
  afterAll(() => t?.close());

  it('/ready answers 503 naming Kafka, and commands still succeed', async () => {
    const ready = await apiClient(t.app).call('GET', '/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.backends).toMatchObject({ postgresql: 'up', kafka: 'down' });
    const api = apiClient(t.app);
    const author = await api.register();
    expect(typeof (await api.createPost(author))).toBe('string');
  });
});
