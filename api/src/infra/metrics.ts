import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per server instance (several may run in one test process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'GraphQL operation latency by transport (http, ws), operation type and root field',
      labelNames: ['transport', 'type', 'field'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    graphqlErrors: new Counter({
      name: 'graphql_errors_total',
      help: 'GraphQL errors sent to clients, by extensions.code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    matchesMade: new Counter({
      name: 'matches_made_total',
      help: 'Offers accepted by both users (rooms created)',
      registers: [registry],
    }),
    messagesSent: new Counter({
      name: 'messages_sent_total',
      help: 'Chat messages stored (retries not counted)',
      registers: [registry],
    }),
    mailsSent: new Counter({
      name: 'mails_sent_total',
      help: 'Mails accepted by the mail transport',
      registers: [registry],
    }),
    mailFailures: new Counter({
      name: 'mail_failures_total',
      help: 'Failed mail delivery attempts (each is retried until MAIL_MAX_ATTEMPTS)',
      registers: [registry],
    }),
    dbQueries: new Counter({
      name: 'db_queries_total',
      help: 'SQL statements run by the ORM',
      registers: [registry],
    }),
    dbReplicaUp: new Gauge({
      name: 'db_replica_up',
      help: 'Whether reads go to this read replica (1) or not (0: down, not replicating or too far behind)',
      labelNames: ['replica'] as const,
      registers: [registry],
    }),
    dbReplicaLag: new Gauge({
      name: 'db_replica_lag_seconds',
      help: 'Seconds behind the primary at the last check (absent while unknown)',
      labelNames: ['replica'] as const,
      registers: [registry],
    }),
    dbReplicaFailovers: new Counter({
      name: 'db_replica_failovers_total',
      help: 'Reads that failed on a replica and were run again on the primary, by reason',
      labelNames: ['replica', 'reason'] as const,
      registers: [registry],
    }),
    pushesSkippedOnline: new Counter({
      name: 'push_skipped_online_total',
      help: 'Message pushes not sent because the recipient held a live socket on some instance',
      registers: [registry],
    }),
    openSockets: new Gauge({
      name: 'ws_open_sockets',
      help: 'Authenticated graphql-ws sockets open on this instance',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Users searching right now, read from the queue at scrape time. */
export function registerQueueGauge(metrics: Metrics, searching: () => Promise<number>): void {
  new Gauge({
    name: 'match_queue_searching',
    help: 'Users currently searching for a match',
    registers: [metrics.registry],
    async collect() {
      this.set(await searching());
    },
  });
}
