// A separate process holding N SSE connections (forked by B7). It counts `event: activity` frames
// and samples their latency from the `bench@<ms>` stamp in each frame's summary. Commands over
// IPC: { cmd: 'connect', url, headers: [..], n } → { connected, failed }; { cmd: 'reset' };
// { cmd: 'read' } → { frames, seconds, latency samples }; { cmd: 'close' }.
import http from 'node:http';

const conns = [];
let frames = 0;
let since = performance.now();
let samples = [];
let closedByServer = 0;
let sampleEvery = 1;
let seen = 0;
const STAMP = /bench@(\d+)/;

function open(url, headers) {
  return new Promise((resolve) => {
    const u = new URL(url);
    const req = http.get({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers: { accept: 'text/event-stream', ...headers }, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        resolve({ ok: false, status: res.statusCode });
        return;
      }
      res.setEncoding('utf8');
      let rest = '';
      const conn = { req, res, closing: false };
      conns.push(conn);
      res.on('data', (chunk) => {
        const text = rest + chunk;
        let start = 0;
        for (;;) {
          const end = text.indexOf('\n\n', start);
          if (end < 0) break;
          if (text.startsWith('id:', start) && text.indexOf('event: activity', start) < end) {
            frames++;
            if (++seen % sampleEvery === 0) {
              const m = STAMP.exec(text.slice(start, end));
              if (m) samples.push(Date.now() - Number(m[1]));
            }
          }
          start = end + 2;
        }
        rest = text.slice(start);
      });
      res.on('close', () => {
        if (!conn.closing) closedByServer++;
      });
      resolve({ ok: true });
    });
    req.on('error', () => resolve({ ok: false, status: 'error' }));
  });
}

process.on('message', async (msg) => {
  if (msg.cmd === 'connect') {
    sampleEvery = msg.sampleEvery ?? 1;
    let connected = 0;
    const failed = {};
    for (let i = 0; i < msg.n; i += 100) {
      const batch = [];
      for (let j = i; j < Math.min(msg.n, i + 100); j++) batch.push(open(msg.url, msg.headers[j % msg.headers.length]));
      for (const r of await Promise.all(batch)) {
        if (r.ok) connected++;
        else failed[r.status] = (failed[r.status] ?? 0) + 1;
      }
    }
    process.send({ connected, failed });
  } else if (msg.cmd === 'reset') {
    frames = 0;
    samples = [];
    closedByServer = 0;
    since = performance.now();
    process.send({ ok: true });
  } else if (msg.cmd === 'read') {
    const s = samples.sort((a, b) => a - b);
    const pct = (p) => (s.length ? s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))] : null);
    process.send({
      frames,
      seconds: (performance.now() - since) / 1000,
      open: conns.filter((c) => !c.res.destroyed).length,
      closed_by_server: closedByServer,
      latency: { n: s.length, p50: pct(0.5), p99: pct(0.99), max: s.length ? s[s.length - 1] : null },
    });
  } else if (msg.cmd === 'close') {
    for (const c of conns) {
      c.closing = true;
      c.req.destroy();
    }
    process.send({ ok: true });
    setTimeout(() => process.exit(0), 50);
  }
});
process.send({ ready: true });
