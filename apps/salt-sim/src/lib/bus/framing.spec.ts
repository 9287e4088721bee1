import { readSaltFixture } from '@sylvite/salt-fixtures';
import { login, RawStream } from '../../testing/http-client';
import { SaltSim, startSaltSim } from '../sim';
import { frameFor, RETRY_LINE, serializeEvent } from './event-bus';

interface Wire {
  tag: string;
  data: Record<string, unknown>;
}

const transcript = readSaltFixture('sse-transcript.txt');
const http = readSaltFixture('sse-transcript.http');
const events: Wire[] = transcript
  .toString('utf8')
  .split('\n')
  .filter((l) => l.startsWith('data: '))
  .map((l) => JSON.parse(l.slice(6)) as Wire);

describe('SSE framing', () => {
  it('should reproduce sse-transcript.txt byte for byte when its events are replayed through the writer', () => {
    let out = RETRY_LINE;
    for (const e of events) {
      const f = frameFor(e.tag, serializeEvent(e.tag, e.data));
      out += f.tagLine + f.dataLine;
    }
    expect(events).toHaveLength(11);
    expect(out).toBe(transcript.toString('utf8'));
    expect(Buffer.from(out, 'utf8').equals(transcript)).toBe(true);
  });

  describe('over a socket', () => {
    let sim: SaltSim;
    beforeAll(async () => {
      sim = await startSaltSim({ port: 0, life: false, quiet: true, speed: 50 });
    });
    afterAll(() => sim.close());

    it('should send the .http transcript body chunk for chunk when the same events are fired', async () => {
      const { token } = await login(sim.url);
      const stream = new RawStream(sim.url, '/events', { 'X-Auth-Token': token });
      await stream.until((s) => s.body === RETRY_LINE, 3000, 'retry line');
      for (const e of events) sim.emit(e.tag, structuredClone(e.data), true);
      await stream.until((s) => s.events().length === events.length, 3000, 'all events');
      stream.close();

      const got = stream.bytes();
      const gotBody = got.subarray(got.indexOf('\r\n\r\n') + 4);
      const wantBody = http.subarray(http.indexOf('\r\n\r\n') + 4);
      expect(gotBody.toString('utf8')).toBe(wantBody.toString('utf8'));
      expect(gotBody.equals(wantBody)).toBe(true);
    });

    it('should send the transcript head (same fields, same order) when a stream opens', async () => {
      const { token } = await login(sim.url);
      const stream = new RawStream(sim.url, '/events', { 'X-Auth-Token': token });
      await stream.until((s) => s.status !== 0, 3000, 'head');
      stream.close();
      const norm = (block: string): string[] =>
        block
          .split('\r\n')
          .map((l) => (l.startsWith('Date: ') ? 'Date: *' : l));
      const wantHead = http.subarray(0, http.indexOf('\r\n\r\n')).toString('latin1');
      expect(norm(stream.headerBlock)).toEqual(norm(wantHead));
    });
  });
});
