import { jobNew, jobRet, runnerNew, runnerRet } from './jobs';
import { authEvent, keyEvent, minionStart } from './keys';
import { isDict } from './returns';
import { ignore, type EventContext } from './row';
import { parseSaltStamp } from './stamp';
import type { NormalizerState } from './state';
import type { NormalizeMeta, NormalizeResult, SaltEvent } from './types';

// `<jid>` alone: the `{minions}` companion of `job.new` (and, on 2014 masters, returns).
const BARE_JID_RE = /^\d{14,}(?:_\d+)?$/;
// `pkg.installed`: fire_ret_load's duplicate of a failed state entry.
const STATE_FUN_TAG_RE = /^[A-Za-z_][\w]*\.[A-Za-z_][\w]*$/;

/**
 * Turns one Salt bus event into at most one activity row (DESIGN.md §2, PROTOCOL.md §4). Pure
 * apart from `state`, the memory it keeps between events (jobs, key states, starts).
 */
export function normalize(event: SaltEvent, state: NormalizerState, meta: NormalizeMeta = {}): NormalizeResult {
  const tag = event.tag;
  if (typeof tag !== 'string' || tag === '') return ignore('malformed');

  if (tag.startsWith('salt/')) {
    const parts = tag.split('/');
    switch (parts[1]) {
      case 'job':
        return jobTag(event, parts, state, meta);
      case 'run':
        return runTag(event, parts, state, meta);
      case 'wheel':
        return ignore('wheel');
      case 'key':
        return parts.length === 2 ? withContext(event, state, meta, keyEvent) : ignore('other');
      case 'auth':
        return parts.length === 2 ? withContext(event, state, meta, authEvent) : ignore('other');
      case 'minion':
        if (parts.length >= 4 && parts[parts.length - 1] === 'start') {
          const tagMinion = parts.slice(2, -1).join('/');
          return withContext(event, state, meta, (c) => minionStart(c, tagMinion));
        }
        return ignore('other');
      case 'presence':
        return ignore('presence');
      case 'syndic':
        return ignore('syndic');
      case 'netapi':
        if (tag.startsWith(state.heartbeatTagPrefix)) return ignore('heartbeat');
        return parts[2] === 'hook' ? ignore('hook') : ignore('other');
      default:
        return ignore('other');
    }
  }
  if (tag === 'minion_start') return withContext(event, state, meta, (c) => minionStart(c, null));
  if (tag === 'syndic_start') return ignore('syndic');
  if (tag === 'key') return ignore('aes-rotation');
  if (tag.startsWith('minion/refresh/')) return ignore('refresh');
  if (BARE_JID_RE.test(tag)) return ignore('bare-jid');
  if (STATE_FUN_TAG_RE.test(tag)) return ignore('side-event');
  return ignore('other');
}

function jobTag(event: SaltEvent, parts: string[], state: NormalizerState, meta: NormalizeMeta): NormalizeResult {
  // salt/job/<jid>/<verb>/… ; `salt/job/error` has an empty jid squeezed out by tagify.
  const jid = parts[2] ?? '';
  const verb = parts[3];
  if (jid === 'error' || verb === 'error') return ignore('publish-error');
  if (verb === 'new' && parts.length === 4) return withContext(event, state, meta, (c) => jobNew(c, jid));
  if (verb === 'ret' && parts.length >= 5) {
    const minion = parts.slice(4).join('/');
    return withContext(event, state, meta, (c) => jobRet(c, jid, minion));
  }
  if (verb === 'sub' || verb === 'prog') return ignore('side-event');
  return ignore('other');
}

function runTag(event: SaltEvent, parts: string[], state: NormalizerState, meta: NormalizeMeta): NormalizeResult {
  const jid = parts[2] ?? '';
  const verb = parts[3];
  if (parts.length !== 4) return ignore('other');
  if (verb === 'new') return withContext(event, state, meta, (c) => runnerNew(c, jid));
  if (verb === 'ret') return withContext(event, state, meta, (c) => runnerRet(c, jid));
  if (verb === 'args' || verb === 'progress' || verb === 'print') return ignore('runner-detail');
  return ignore('other');
}

function withContext(
  event: SaltEvent,
  state: NormalizerState,
  meta: NormalizeMeta,
  handle: (c: EventContext) => NormalizeResult,
): NormalizeResult {
  const data = event.data;
  if (!isDict(data)) return ignore('malformed');
  const receivedAt = meta.receivedAt ?? new Date();
  const stamp = data['_stamp'];
  const occurredAt = meta.occurredAt ?? parseSaltStamp(stamp) ?? receivedAt;
  const stampText = typeof stamp === 'string' && stamp !== '' ? stamp : occurredAt.toISOString();
  return handle({ event, data, state, meta, occurredAt, receivedAt, stampText });
}
