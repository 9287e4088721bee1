import { Minion } from '../fleet/fleet';
import { Rng } from '../util/rng';

export interface CmdOutcome {
  stdout: string;
  stderr: string;
  retcode: number;
  runMs: number;
}

const KNOWN = new Set([
  'apt', 'apt-get', 'dnf', 'yum', 'git', 'curl', 'wget', 'ping', 'salt-call', 'tar', 'rsync', 'mkdir', 'touch',
  'rm', 'cp', 'mv', 'chmod', 'chown', 'ln', 'find', 'tail', 'head', 'wc', 'sort', 'awk', 'sed', 'test', 'logrotate',
]);

function localClock(minion: Minion): Date {
  return new Date(Date.now() + minion.utcOffsetMinutes * 60_000);
}

/** A big journal: turns into "VALUE_TRIMMED" on the bus while the job cache keeps it whole. */
function bigLog(minion: Minion, rng: Rng, bytes: number): string {
  const host = String(minion.grains['host']);
  const lines: string[] = [];
  let size = 0;
  let ms = Date.now() - 86_400_000;
  const msgs = ['GET /healthz 200 0.8ms', 'GET /api/v1/orders 200 31.2ms', 'POST /api/v1/cart 201 12.9ms', 'worker heartbeat ok', 'cache miss key=session:', 'slow query took 1204ms'];
  while (size < bytes) {
    ms += rng.int(5, 900);
    const d = new Date(ms);
    const line = `${d.toUTCString().slice(8, 11)} ${String(d.getUTCDate()).padStart(2, '0')} ${d.toISOString().slice(11, 19)} ${host} app[${rng.int(900, 3000)}]: ${rng.pick(msgs)}${rng.hex(8)}`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n');
}

/** Plausible output and exit status for a shell command (`cmd.run`, `cmd.run_all`, `cmd.retcode`). */
export function runCommand(minion: Minion, rng: Rng, command: string): CmdOutcome {
  const cmd = command.trim();
  const host = String(minion.grains['host']);
  const fast = (stdout: string, retcode = 0, stderr = ''): CmdOutcome => ({ stdout, stderr, retcode, runMs: rng.range(30, 400) });
  let m: RegExpExecArray | null;
  if (/^uptime\b/.test(cmd)) {
    const now = localClock(minion);
    const load = () => rng.range(0, 1.5).toFixed(2);
    return fast(` ${now.toISOString().slice(11, 19)} up ${rng.int(1, 200)} days,  ${rng.int(0, 23)}:${String(rng.int(0, 59)).padStart(2, '0')},  0 users,  load average: ${load()}, ${load()}, ${load()}`);
  }
  if (/^hostname -f\b/.test(cmd)) return fast(minion.id);
  if (/^hostname\b/.test(cmd)) return fast(host);
  if (/^uname\b/.test(cmd)) return fast(`Linux ${host} ${minion.grains['kernelrelease']} #1 SMP PREEMPT_DYNAMIC x86_64 GNU/Linux`);
  if (/^whoami\b/.test(cmd)) return fast('root');
  if (/^id\b/.test(cmd)) return fast('uid=0(root) gid=0(root) groups=0(root)');
  if (/^date\b/.test(cmd)) return fast(localClock(minion).toUTCString());
  if (/^true\b/.test(cmd)) return fast('');
  if (/^false\b/.test(cmd)) return fast('', 1);
  if ((m = /^exit (\d+)/.exec(cmd))) return fast('', Number(m[1]) % 256);
  if ((m = /^sleep (\d+(?:\.\d+)?)/.exec(cmd))) return { stdout: '', stderr: '', retcode: 0, runMs: Number(m[1]) * 1000 + 20 };
  if ((m = /^echo (.*)$/s.exec(cmd))) return fast(m[1].replace(/^(['"])(.*)\1$/s, '$2'));
  if (/^df\b/.test(cmd)) {
    const used = rng.int(18, 91);
    return fast(`Filesystem      Size  Used Avail Use% Mounted on\n/dev/vda1        40G  ${Math.round((40 * used) / 100)}G  ${40 - Math.round((40 * used) / 100)}G  ${used}% /`);
  }
  if (/^free\b/.test(cmd)) {
    const total = Number(minion.grains['mem_total']);
    const used = Math.round(total * rng.range(0.2, 0.8));
    return fast(`               total        used        free      shared  buff/cache   available\nMem:           ${total}        ${used}        ${total - used}          12         512        ${total - used}\nSwap:              0           0           0`);
  }
  if ((m = /^systemctl (is-active|status) (\S+)/.exec(cmd))) {
    const active = rng.chance(0.93);
    if (m[1] === 'is-active') return fast(active ? 'active' : 'inactive', active ? 0 : 3);
    return fast(
      `● ${m[2]}.service\n     Loaded: loaded (/lib/systemd/system/${m[2]}.service; enabled; preset: enabled)\n     Active: ${active ? 'active (running)' : 'inactive (dead)'} since ${new Date().toUTCString()}`,
      active ? 0 : 3,
    );
  }
  if (/^systemctl (restart|reload|start|stop)\b/.test(cmd)) return { stdout: '', stderr: '', retcode: 0, runMs: rng.range(300, 2500) };
  if (/^cat \/etc\/motd\b/.test(cmd)) return fast(`Willkommen auf ${host} — Wartungsfenster: Sa 22:00–24:00 Uhr ✓\n日本語のお知らせ: メンテナンス予定 🚧`);
  if (/^cat \/etc\/os-release\b/.test(cmd)) {
    return fast(`PRETTY_NAME="${minion.grains['osfullname']} ${minion.grains['osrelease']}"\nNAME="${minion.grains['osfullname']}"\nVERSION_ID="${minion.grains['osrelease']}"\nID=${String(minion.grains['os']).toLowerCase()}`);
  }
  if ((m = /^grep -c (\S+)/.exec(cmd))) {
    const n = rng.chance(0.5) ? 0 : rng.int(1, 40);
    return fast(String(n), n === 0 ? 1 : 0);
  }
  if (/^(journalctl|cat \/var\/log\/)/.test(cmd)) {
    return { stdout: bigLog(minion, rng, 1_400_000), stderr: '', retcode: 0, runMs: rng.range(1500, 3500) };
  }
  if (/^ps\b/.test(cmd)) return fast(`    PID TTY          TIME CMD\n      1 ?        00:00:12 systemd\n    ${rng.int(400, 900)} ?        00:01:02 salt-minion`);
  if (/^ls\b/.test(cmd)) return fast('bin\nboot\ndev\netc\nhome\nlib\nopt\nroot\nrun\nsrv\ntmp\nusr\nvar');
  const first = cmd.split(/\s+/)[0] ?? '';
  if (KNOWN.has(first)) return { stdout: '', stderr: '', retcode: 0, runMs: rng.range(100, 3000) };
  const notFound = minion.os.os_family === 'Debian' ? `/bin/sh: 1: ${first}: not found` : `/bin/sh: line 1: ${first}: command not found`;
  return { stdout: '', stderr: notFound, retcode: 127, runMs: rng.range(10, 60) };
}

/** `cmd.run` merges stderr into the returned string (`python_shell`, `redirect_stderr`). */
export function cmdRunOutput(o: CmdOutcome): string {
  return [o.stdout, o.stderr].filter(Boolean).join('\n');
}
