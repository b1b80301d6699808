import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventStore } from '../events/index.js';
import type { ProjectorStatus } from '../projections/runtime/runner.js';
import { consumerRestarts } from '../projections/feed/fan-out-topic.js';
import type { PartitionLag } from './kafka-consumer-lag.js';

// Prometheus metrics (GET /metrics): HTTP latency by route, events appended, and each projector's
// lag and rate, read from the projectors of this process at scrape time.
export interface Metrics {
  registry: Registry;
  /** Counts appended events by type; returns the store to use in place of the given one. */
  countAppends(store: EventStore): EventStore;
  observeHttp(app: FastifyInstance): void;
  /** Where projector statuses come from (the projectors running in this process). */
  watchProjectors(statuses: () => ProjectorStatus[]): void;
  /** Where the Kafka consumer groups' per-partition lag comes from (app/kafka-consumer-lag.ts). */
  watchKafkaLag(lags: () => PartitionLag[]): void;
  /** Where the partitions this process holds come from (PROJECTOR_PARTITIONS: projection name to partitions held). */
  watchPartitions(owned: () => ReadonlyMap<string, number>): void;
}

export const createMetrics = (): Metrics => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const appended = new Counter({ name: 'events_appended_total', help: 'Events appended to the event store', labelNames: ['type'], registers: [registry] });
  let statuses: () => ProjectorStatus[] = () => [];
  const perProjector = (status: ProjectorStatus) => ({ projection: status.checkpointKey });
  new Gauge({
    name: 'projection_lag_events',
    help: 'Approximate events between the log head and the projection checkpoint',
    labelNames: ['projection'],
    registers: [registry],
    collect() {
      this.reset();
      for (const status of statuses()) this.set(perProjector(status), status.lag);
    },
  });
  new Gauge({
    name: 'projection_events_per_second',
    help: 'Events a projection applied per second, recently',
    labelNames: ['projection'],
    registers: [registry],
    collect() {
      this.reset();
      for (const status of statuses()) this.set(perProjector(status), status.eventsPerSecond);
    },
  });
  new Counter({
    name: 'projection_parked_events_total',
    help: 'Events a projector of this process parked (set aside as unappliable) since it started',
    labelNames: ['projection'],
    registers: [registry],
    collect() {
      this.reset();
      for (const status of statuses()) if (status.parked > 0) this.inc(perProjector(status), status.parked);
    },
  });
  let owned: () => ReadonlyMap<string, number> = () => new Map();
  new Gauge({
    name: 'projector_partitions_owned',
    help: 'Partitions of each projection this process holds by lease and runs (PROJECTOR_PARTITIONS)',
    labelNames: ['projection'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [projection, partitions] of owned()) this.set({ projection }, partitions);
    },
  });
  new Gauge({
    name: 'feed_fanout_backlog_events',
    help: 'Events the feed projection has still to fan out (in-process fan-out: its lag)',
    registers: [registry],
    collect() {
      this.set(statuses().filter((s) => s.name === 'feed').reduce((sum, s) => sum + s.lag, 0));
    },
  });
  let kafkaLags: () => PartitionLag[] = () => [];
  new Gauge({
    name: 'kafka_consumer_lag',
    help: 'Messages between a Kafka consumer group committed offset and the end of a partition (polled every few seconds by the process running the group)',
    labelNames: ['topic', 'partition', 'group'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { topic, partition, group, lag } of kafkaLags()) this.set({ topic, partition: String(partition), group }, lag);
    },
  });

  // Counted where the consumers run (projections/feed/fan-out-topic.ts startJobConsumer); none in a process without them.
  new Gauge({
    name: 'kafka_consumer_restarts_total',
    help: 'Kafka consumers of a group started afresh because their commits kept failing with finished messages waiting (a lost group coordinator)',
    labelNames: ['group'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [group, restarts] of consumerRestarts()) this.set({ group }, restarts);
    },
  });

  return {
    registry,
    countAppends: (store) => ({
      ...store,
      append: async (streamId, events, expected, appendOptions) => {
        const result = await store.append(streamId, events, expected, appendOptions);
        for (const event of events) appended.inc({ type: event.type });
        return result;
      },
    }),
    observeHttp(app) {
      app.addHook('onResponse', async (request, reply) => {
        const route = request.routeOptions.url ?? 'unmatched';
        httpDuration.observe({ method: request.method, route, status_code: reply.statusCode }, reply.elapsedTime / 1000);
      });
    },
    watchProjectors(source) {
      statuses = source;
    },
    watchKafkaLag(source) {
      kafkaLags = source;
    },
    watchPartitions(source) {
      owned = source;
    },
  };
};
