import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Counter, Gauge, register, type Registry } from 'prom-client';
import { Public } from '@sylvite/api-core';
import type { StreamStatus } from './activity-bus';
import type { WriterStats } from './ingest/activity-writer';

/** The process-wide registry (prom-client's default): other modules register their metrics on it too. */
export const metricsRegistry: Registry = register;

export interface StreamMetricsSource {
  status(): StreamStatus;
  writer(): WriterStats | null;
  queue(): { size: number; capacity: number; dropped: number };
  leader(): boolean;
}

let source: StreamMetricsSource | null = null;

/** The running stream service reports through this (the latest one wins; tests build several). */
export function setStreamMetricsSource(s: StreamMetricsSource | null): void {
  source = s;
}

function gauge(name: string, help: string, read: (s: StreamMetricsSource, g: Gauge) => void, labelNames: string[] = []): void {
  if (metricsRegistry.getSingleMetric(name)) return;
  new Gauge({
    name, help, labelNames, registers: [metricsRegistry],
    collect() {
      this.reset();
      if (source) read(source, this);
    },
  });
}

/** A counter mirroring a monotonic total kept elsewhere (reset when the source restarts). */
function counter(name: string, help: string, read: (s: StreamMetricsSource) => number): void {
  if (metricsRegistry.getSingleMetric(name)) return;
  let last = 0;
  new Counter({
    name, help, registers: [metricsRegistry],
    collect() {
      if (!source) return;
      const now = read(source);
      if (now < last) {
        this.reset();
        last = 0;
      }
      if (now > last) this.inc(now - last);
      last = now;
    },
  });
}

const STATES: StreamStatus['state'][] = ['connected', 'reconnecting', 'disabled', 'standby'];

/** Registers the Salt stream and ingest metrics once per process. */
export function registerStreamMetrics(): void {
  gauge('sylvite_salt_stream_up', '1 when the salt-api event stream is connected', (s, g) => g.set(s.status().state === 'connected' ? 1 : 0));
  gauge('sylvite_salt_stream_state', 'The stream state (1 for the current one)', (s, g) => {
    const st = s.status().state;
    for (const state of STATES) g.set({ state }, state === st ? 1 : 0);
  }, ['state']);
  gauge('sylvite_salt_stream_leader', '1 when this replica holds the stream', (s, g) => g.set(s.leader() ? 1 : 0));
  gauge('sylvite_salt_stream_events_per_second', 'Events read from the bus per second (10 s window)', (s, g) => g.set(s.status().events_per_second));
  gauge('sylvite_salt_stream_lag_seconds', 'Receive time minus the latest event _stamp', (s, g) => {
    const lag = s.status().lag_ms;
    if (lag !== null) g.set(lag / 1000);
  });
  gauge('sylvite_salt_stream_last_event_timestamp_seconds', 'When the latest event arrived', (s, g) => {
    const at = s.status().last_event_at;
    if (at) g.set(Date.parse(at) / 1000);
  });
  counter('sylvite_salt_stream_reconnects_total', 'Reconnections of the event stream', (s) => s.status().reconnects);
  gauge('sylvite_ingest_queue_depth', 'Events waiting for the database writer', (s, g) => g.set(s.queue().size));
  gauge('sylvite_ingest_queue_capacity', 'Capacity of the ingest queue', (s, g) => g.set(s.queue().capacity));
  counter('sylvite_ingest_dropped_total', 'Events refused by a full ingest queue (each recorded as a gap)', (s) => s.queue().dropped);
  counter('sylvite_ingest_rows_total', 'Activity rows committed', (s) => s.writer()?.committed ?? 0);
  counter('sylvite_ingest_batches_total', 'Write transactions committed', (s) => s.writer()?.batches ?? 0);
  counter('sylvite_ingest_duplicates_total', 'Rows skipped by the dedupe ledger', (s) => s.writer()?.duplicates ?? 0);
  counter('sylvite_ingest_rejected_total', 'Rows the database refused (isolated by splitting, recorded as gaps)', (s) => s.writer()?.rejected ?? 0);
  gauge('sylvite_ingest_last_batch_seconds', 'Duration of the latest write transaction', (s, g) => g.set((s.writer()?.lastBatchMs ?? 0) / 1000));
}

/** `GET /api/metrics`: Prometheus text format, no sign-in (bind the port privately or scrape through a proxy). */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Public()
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', register.contentType)
  async metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
