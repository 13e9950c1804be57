/**
 * Prometheus metrics of the local stack, served at `GET /metrics`. One registry per stack, so
 * several stacks in one test process never share counters.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();

  readonly connections = new Gauge({
    name: 'pasabay_realtime_connections',
    help: 'Open Realtime WebSocket connections',
    registers: [this.registry],
  });
  readonly channels = new Gauge({
    name: 'pasabay_realtime_channels',
    help: 'Joined Realtime channels',
    registers: [this.registry],
  });
  readonly joins = new Counter({
    name: 'pasabay_realtime_joins_total',
    help: 'Channel joins accepted',
    registers: [this.registry],
  });
  readonly joinsDenied = new Counter({
    name: 'pasabay_realtime_joins_denied_total',
    help: 'Channel joins refused',
    registers: [this.registry],
  });
  readonly messagesIn = new Counter({
    name: 'pasabay_realtime_messages_in_total',
    help: 'Frames received from clients, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly messagesOut = new Counter({
    name: 'pasabay_realtime_messages_out_total',
    help: 'Frames written to clients, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly deliveryLatency = new Histogram({
    name: 'pasabay_realtime_delivery_latency_seconds',
    help: 'From the database commit of a change to the frame written to a subscriber',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'pasabay_auth_failures_total',
    help: 'Requests refused for a missing, invalid or expired key or token',
    labelNames: ['service'] as const,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'pasabay_errors_total',
    help: 'Unexpected errors, by service',
    labelNames: ['service'] as const,
    registers: [this.registry],
  });
  readonly requests = new Counter({
    name: 'pasabay_http_requests_total',
    help: 'HTTP requests answered, by service and status',
    labelNames: ['service', 'status'] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'pasabay_' });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
