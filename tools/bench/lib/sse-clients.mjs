// A separate process holding SSE connections (forked by B7 and B8). It counts `event: activity`
// frames and samples their latency, from the `bench@<ms>` stamp in a frame's summary or (stamp
// 'occurred') from its occurred_at. IPC: { cmd: 'connect', url, headers: [..], n, tag?, stamp? }
// → { connected, failed }; { cmd: 'reset' }; { cmd: 'read' } → totals and per tag; { cmd: 'close' }.
import http from 'node:http';

const conns = [];
const tags = new Map();
let since = performance.now();
let sampleEvery = 1;
const STAMPS = {
  bench: (frame) => {
    const m = /bench@(\d+)/.exec(frame);
    return m ? Number(m[1]) : null;
  },
  occurred: (frame) => {
    const m = /"occurred_at":"([^"]+)"/.exec(frame);
    return m ? Date.parse(m[1]) : null;
  },
};

function statsFor(tag) {
  let s = tags.get(tag);
  if (!s) {
    s = { frames: 0, seen: 0, samples: [], closed: 0 };
    tags.set(tag, s);
  }
  return s;
}

function open(url, headers, tag, stamp) {
  const stats = statsFor(tag);
  const stampOf = STAMPS[stamp] ?? STAMPS.bench;
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
            stats.frames++;
            if (++stats.seen % sampleEvery === 0) {
              const t = stampOf(text.slice(start, end));
              if (t !== null) stats.samples.push(Date.now() - t);
            }
          }
          start = end + 2;
        }
        rest = text.slice(start);
      });
      res.on('close', () => {
        if (!conn.closing) stats.closed++;
      });
      resolve({ ok: true });
    });
    req.on('error', () => resolve({ ok: false, status: 'error' }));
  });
}

function summary(s) {
  const x = [...s.samples].sort((a, b) => a - b);
  const pct = (p) => (x.length ? x[Math.min(x.length - 1, Math.floor((x.length - 1) * p))] : null);
  return { frames: s.frames, closed_by_server: s.closed, latency: { n: x.length, p50: pct(0.5), p99: pct(0.99), max: x.length ? x[x.length - 1] : null } };
}

process.on('message', async (msg) => {
  if (msg.cmd === 'connect') {
    sampleEvery = msg.sampleEvery ?? 1;
    let connected = 0;
    const failed = {};
    for (let i = 0; i < msg.n; i += 100) {
      const batch = [];
      for (let j = i; j < Math.min(msg.n, i + 100); j++) batch.push(open(msg.url, msg.headers[j % msg.headers.length], msg.tag ?? 'all', msg.stamp));
      for (const r of await Promise.all(batch)) {
        if (r.ok) connected++;
        else failed[r.status] = (failed[r.status] ?? 0) + 1;
      }
    }
    process.send({ connected, failed });
  } else if (msg.cmd === 'reset') {
    for (const s of tags.values()) Object.assign(s, { frames: 0, seen: 0, samples: [], closed: 0 });
    since = performance.now();
    process.send({ ok: true });
  } else if (msg.cmd === 'read') {
    const all = { frames: 0, seen: 0, samples: [], closed: 0 };
    const perTag = {};
    for (const [tag, s] of tags) {
      all.frames += s.frames;
      all.closed += s.closed;
      for (const x of s.samples) all.samples.push(x);
      perTag[tag] = summary(s);
    }
    process.send({ ...summary(all), seconds: (performance.now() - since) / 1000, open: conns.filter((c) => !c.res.destroyed).length, tags: perTag });
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
