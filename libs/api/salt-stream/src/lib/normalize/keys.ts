import type { ActivityEventType, ActivityOutcome } from '@sylvite/contracts';
import { activity, ignore, type EventContext } from './row';
import type { AuthMemory } from './state';
import { str } from './text';
import type { NormalizeResult } from './types';

const KEY_ACTS: Readonly<Record<string, { kind: ActivityEventType; outcome: ActivityOutcome; verb: string }>> = {
  accept: { kind: 'key.accept', outcome: 'accepted', verb: 'accepted' },
  reject: { kind: 'key.reject', outcome: 'rejected', verb: 'rejected' },
  delete: { kind: 'key.delete', outcome: 'deleted', verb: 'deleted' },
};

/** `salt/key`: one event per key an operator (or wheel call) actually moved or removed. */
export function keyEvent(c: EventContext): NormalizeResult {
  const id = str(c.data['id']);
  if (!id) return ignore('malformed');
  const act = c.data['act'];
  const spec = typeof act === 'string' ? KEY_ACTS[act] : undefined;
  if (!spec) return ignore('unknown-key-act');
  // The key's state changed: whatever salt/auth says next about this minion is news again.
  c.state.setAuthMemory(id, null);
  return activity(c, {
    kind: spec.kind,
    outcome: spec.outcome,
    summary: `Key ${spec.verb}: ${id}`,
    dedupeKey: `${spec.kind}|${id}|${c.stampText}`,
    minionId: id,
  });
}

interface AuthSpec {
  kind: ActivityEventType;
  outcome: ActivityOutcome;
  memory: AuthMemory;
  summary: (id: string) => string;
}

const AUTH_PEND: AuthSpec = {
  kind: 'key.pend',
  outcome: 'pending',
  memory: 'pending',
  summary: (id) => `Key pending: ${id} is waiting for acceptance`,
};
const AUTH_DENIED: AuthSpec = {
  kind: 'key.denied',
  outcome: 'denied',
  memory: 'denied',
  summary: (id) => `Key denied: ${id} presented a key that differs from the one on the master`,
};
const AUTH_FULL: AuthSpec = {
  kind: 'key.full',
  outcome: 'rejected',
  memory: 'full',
  summary: (id) => `Key refused: the master is full (max_minions), ${id} cannot join`,
};
const AUTH_REJECTED: AuthSpec = {
  kind: 'key.auth_rejected',
  outcome: 'rejected',
  memory: 'auth_rejected',
  summary: (id) => `Authentication refused: ${id}'s key is rejected`,
};

/**
 * `salt/auth`, fired on every authentication attempt. `accept` is a re-auth (restart, AES rotation),
 * not a key acceptance; `pend`, `denied`, `full` and refusals repeat while the minion retries, so
 * only a change of what the master says about the minion is stored.
 */
export function authEvent(c: EventContext): NormalizeResult {
  const id = str(c.data['id']);
  if (!id) return ignore('malformed');
  const act = c.data['act'];
  let spec: AuthSpec;
  switch (act) {
    case 'accept':
      c.state.setAuthMemory(id, null);
      return ignore('reauth');
    case 'pend':
      spec = AUTH_PEND;
      break;
    case 'denied':
      spec = AUTH_DENIED;
      break;
    case 'full':
      spec = AUTH_FULL;
      break;
    case 'reject':
    case undefined:
    case null:
      // `reject` is autoreject_file; no act at all is a key sitting in minions_rejected (or worse).
      spec = AUTH_REJECTED;
      break;
    default:
      return ignore('unknown-key-act');
  }
  if (c.state.authMemory(id) === spec.memory) return ignore(spec.memory === 'pending' ? 'repeat-pend' : 'repeat-auth');
  c.state.setAuthMemory(id, spec.memory);
  return activity(c, {
    kind: spec.kind,
    outcome: spec.outcome,
    summary: spec.summary(id),
    dedupeKey: `${spec.kind}|${id}|${c.stampText}`,
    minionId: id,
  });
}

/** `salt/minion/<id>/start` and the legacy `minion_start`: the minion sends both, counted once. */
export function minionStart(c: EventContext, tagMinion: string | null): NormalizeResult {
  const id = str(c.data['id']) ?? tagMinion;
  if (!id) return ignore('malformed');
  // "Minion <id> started at <asctime>", the same text in both events of one start.
  const marker = str(c.data['data']);
  if (!c.state.noteStart(id, c.occurredAt, marker)) return ignore('duplicate-start');
  return activity(c, {
    kind: 'minion.start',
    outcome: 'online',
    summary: `Minion ${id} started`,
    dedupeKey: `minion.start|${id}|${marker ?? c.stampText}`,
    minionId: id,
  });
}
