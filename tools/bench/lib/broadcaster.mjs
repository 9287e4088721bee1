// B7's baseline: a bare node:http SSE broadcaster in its own process. It makes the same frames as
// the api (`id:`, `event: activity`, the same JSON fields), serializes each once, and writes each
// 25 ms tick's frames to every client as one chunk — the api's own coalescing, without anything
// else (no auth, filters, scopes, database). IPC: { cmd: 'rate', rate } sets events/s of
// generated rows; { cmd: 'source', url, username, password } instead relays a salt-api's /events
// (B9: the simulator straight to the browsers), one frame per job event, stamped with its _stamp.
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

let relayed = '';

function relayFrame(ev) {
  const d = ev.data ?? {};
  const at = typeof d._stamp === 'string' ? new Date(d._stamp.slice(0, 23) + 'Z').toISOString() : new Date().toISOString();
  const isRet = /\/ret\//.test(ev.tag);
  const id = String(nextId++);
  const row = {
    id, occurred_at: at, received_at: new Date().toISOString(), category: 'job', event_type: isRet ? 'job.ret' : 'job.new',
    outcome: isRet ? (d.success ? 'ok' : 'failed') : 'dispatched', minion_id: isRet ? d.id ?? null : null, jid: d.jid ?? null,
    fun: typeof d.fun === 'string' ? d.fun : null, initiator: d.user ?? null, target: typeof d.tgt === 'string' ? d.tgt : null,
    target_type: d.tgt_type ?? null, retcode: isRet ? d.retcode ?? null : null, duration_ms: null,
    summary: isRet ? `${d.id}: ${d.fun} ${d.success ? 'succeeded' : 'failed'}` : `${d.user} ran ${d.fun} on ${d.tgt}`,
  };
  return `id: ${id}\nevent: activity\ndata: ${JSON.stringify(row)}\n\n`;
}

async function relay({ url, username, password }) {
  const login = await fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ username, password, eauth: 'pam' }) });
  const token = (await login.json()).return[0].token;
  const u = new URL(url);
  http.get({ host: u.hostname, port: u.port, path: '/events', headers: { 'x-auth-token': token, accept: 'text/event-stream' } }, (res) => {
    res.setEncoding('utf8');
    let rest = '';
    res.on('data', (chunk) => {
      const parts = (rest + chunk).split('\n\n');
      rest = parts.pop();
      for (const p of parts) {
        const line = p.split('\n').find((l) => l.startsWith('data: '));
        if (!line) continue;
        const ev = JSON.parse(line.slice(6));
        if (/^salt\/job\/[^/]+\/(new|ret\/)/.test(ev.tag)) relayed += relayFrame(ev);
      }
    });
  });
}

setInterval(() => {
  let chunk = relayed;
  relayed = '';
  if (rate > 0) {
    carry += (rate * TICK_MS) / 1000;
    const n = Math.floor(carry);
    carry -= n;
    const now = Date.now();
    for (let i = 0; i < n; i++) chunk += frame(now);
  }
  if (!chunk || clients.size === 0) return;
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
  if (msg.cmd === 'source') {
    void relay(msg).then(() => process.send({ ok: true }));
  } else if (msg.cmd === 'rate') {
    rate = msg.rate;
    carry = 0;
    process.send({ ok: true });
  }
});
