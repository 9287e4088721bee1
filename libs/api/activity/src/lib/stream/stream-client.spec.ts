import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import type { AuthenticatedPrincipal } from '@sylvite/api-core';
import { anEvent } from '../testing/factories';
import { maxIdOf, minIdOf, StreamClient, type StreamGroup } from './stream-client';
import { activityFrame } from './frames';

/** Enough of an Express response: what was written, and a buffer the test can pretend is full. */
class FakeResponse extends EventEmitter {
  written: string[] = [];
  writableLength = 0;
  ended = false;
  destroyed = false;
  write(chunk: string): boolean {
    this.written.push(chunk);
    return true;
  }
  end(): void {
    this.ended = true;
    this.emit('close');
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
  ids(): string[] {
    return this.written.join('').split('\n').filter((l) => l.startsWith('id: ')).map((l) => l.slice(4));
  }
}

const principal = { userId: 'u1', username: 'alice', permissions: ['view:job:*'], isAdmin: false, via: 'session' } as AuthenticatedPrincipal;
const limits = { maxUnsentBytes: 1000, maxPendingRows: 3, drainTimeoutMs: 50 };

function setup() {
  const res = new FakeResponse();
  const group: StreamGroup = { key: 'g', matches: () => true, clients: new Set() };
  const closed: string[] = [];
  const client = new StreamClient(principal, 'k', group, res as unknown as Response, limits, (_c, reason) => closed.push(reason));
  return { res, client, closed };
}

function deliver(client: StreamClient, ids: string[]) {
  const rows = ids.map((id) => anEvent({ id }));
  client.deliver(rows, () => rows.map(activityFrame).join(''), minIdOf(rows), maxIdOf(rows));
}

describe('StreamClient', () => {
  it('should hold live rows aside while catching up and send only unseen ones when it goes live', async () => {
    const { res, client } = setup();
    deliver(client, ['5', '6']);
    expect(res.ids()).toEqual([]);
    await client.sendPaced([anEvent({ id: '4' }), anEvent({ id: '5' })]);
    client.goLive();
    deliver(client, ['7']);
    expect(res.ids()).toEqual(['4', '5', '6', '7']);
  });

  it('should never send a row twice when the bus repeats rows', () => {
    const { res, client } = setup();
    client.goLive();
    deliver(client, ['1', '2']);
    deliver(client, ['2', '3']);
    deliver(client, ['1']);
    expect(res.ids()).toEqual(['1', '2', '3']);
  });

  it('should cut the client off when its unsent bytes pass the limit', () => {
    const { res, client, closed } = setup();
    client.goLive();
    res.writableLength = 5000;
    deliver(client, ['1']);
    expect(res.destroyed).toBe(true);
    expect(closed).toEqual(['slow_client']);
    expect(client.send('x')).toBe(false);
  });

  it('should cut the client off when too many live rows pile up during the catch-up', () => {
    const { res, client, closed } = setup();
    deliver(client, ['1', '2']);
    deliver(client, ['3', '4']);
    expect(res.destroyed).toBe(true);
    expect(closed).toEqual(['slow_client']);
  });

  it('should cut the client off when a catch-up page does not drain in time', async () => {
    const { res, client, closed } = setup();
    res.write = (chunk: string) => {
      res.written.push(chunk);
      res.writableLength = 600;
      return false;
    };
    await expect(client.sendPaced([anEvent({ id: '1' })])).resolves.toBe(false);
    expect(closed).toEqual(['slow_client']);
  });

  it('should write an end message and close when it is ended', () => {
    const { res, client, closed } = setup();
    client.end('session_ended');
    expect(res.written.join('')).toBe('event: end\ndata: {"reason":"session_ended"}\n\n');
    expect(res.ended).toBe(true);
    expect(closed).toEqual(['session_ended']);
  });
});
