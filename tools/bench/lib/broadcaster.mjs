// B7's baseline: a bare node:http SSE broadcaster in its own process. It makes the same frames as
// the api (`id:`, `event: activity`, the same JSON fields), serializes each once, and writes each
// 25 ms tick's frames to every client as one chunk — the api's own coalescing, without anything
// else (no auth, filters, scopes, database). IPC: { cmd: 'rate', rate } sets events/s.
import http from 'node:http';

const TICK_MS = 25;
const clients = new Set();
let rate = 0;
let carry = 0;
let nextId = 1;
const pad = 'x'.repeat(200);

function frame(now) {
  const iso = new Date(now).toISOString();
  const id = String(nextId++);
  const row = {
    id, occurred_at: iso, received_at: iso, category: 'job', event_type: 'job.ret', outcome: 'ok',
    minion_id: 'web-00001.prod.example.com', jid: '20261122000000000001', fun: 'state.apply', initiator: 'sudo_alice',
    target: 'web-*', target_type: 'glob', retcode: 0, duration_ms: 12.5, summary: `bench@${now} ${pad}`,
  };
  return `id: ${id}\nevent: activity\ndata: ${JSON.stringify(row)}\n\n`;
}

setInterval(() => {
  if (rate <= 0 || clients.size === 0) return;
  carry += (rate * TICK_MS) / 1000;
  const n = Math.floor(carry);
  carry -= n;
  if (n === 0) return;
  const now = Date.now();
  let chunk = '';
  for (let i = 0; i < n; i++) chunk += frame(now);
  for (const res of clients) res.write(chunk);
}, TICK_MS);

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.write('retry: 3000\n\n');
  clients.add(res);
  res.on('close', () => clients.delete(res));
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (msg) => {
  if (msg.cmd === 'rate') {
    rate = msg.rate;
    carry = 0;
    process.send({ ok: true });
  }
});
