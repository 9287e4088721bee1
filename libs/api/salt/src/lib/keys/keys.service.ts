import { BadGatewayException, BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { KeyActionDto, KeysDto, KeyState, Principal } from '@sylvite/contracts';
import type { RequestContext } from '@sylvite/api-core';
import { SaltApiClient, type SaltKeys } from '@sylvite/api-salt-stream';
import { minionScope } from '../jobs/jobs.service';
import { inMinionScope } from '../target/target';

export type KeyAction = 'accept' | 'reject' | 'delete';

/**
 * A key id as the wheel functions take it: `match` is a glob there, so anything that could match
 * more than the one key (wildcards, lists) or escape the pki directory is refused.
 */
export function validKeyId(id: string): boolean {
  return id.length > 0 && id.length <= 255 && !/[*?[\]!,\s/\\]/.test(id) && id !== '.' && id !== '..' && !id.startsWith('.');
}

/**
 * Every state a minion id has a key in. One id can hold two keys: a minion that comes back with a
 * new key while its old one is accepted (or pending) has the new one in `minions_denied`.
 */
export function keyStatesOf(keys: SaltKeys, id: string): KeyState[] {
  const out: KeyState[] = [];
  if (keys.minions.includes(id)) out.push('accepted');
  if (keys.minions_pre.includes(id)) out.push('pending');
  if (keys.minions_rejected.includes(id)) out.push('rejected');
  if (keys.minions_denied.includes(id)) out.push('denied');
  return out;
}

/** The state a list shows first for an id (accepted over pending over rejected over denied). */
export function keyStateOf(keys: SaltKeys, id: string): KeyState | null {
  return keyStatesOf(keys, id)[0] ?? null;
}

/**
 * The wheel call for an action on a key in the given states: `key.accept` moves pending keys only
 * unless told to take rejected (`include_rejected`) or denied (`include_denied`) ones too;
 * `key.reject` likewise for accepted and denied ones (salt/wheel/key.py); `key.delete` removes the
 * id's keys in every state. Null when the action has nothing to move (the key is already there).
 */
export function wheelCall(action: KeyAction, states: readonly KeyState[]): { fun: string; flags: Record<string, boolean> } | null {
  const has = (s: KeyState) => states.includes(s);
  if (action === 'delete') return states.length ? { fun: 'key.delete', flags: {} } : null;
  if (action === 'accept') {
    if (!has('pending') && !has('rejected') && !has('denied')) return null;
    return { fun: 'key.accept', flags: { include_rejected: has('rejected'), include_denied: has('denied') } };
  }
  if (!has('pending') && !has('accepted') && !has('denied')) return null;
  return { fun: 'key.reject', flags: { include_accepted: has('accepted'), include_denied: has('denied') } };
}

/** Whether the key ended where the action puts it. */
export function keyMoved(action: KeyAction, after: readonly KeyState[]): boolean {
  if (action === 'delete') return after.length === 0;
  return after.length === 1 && after[0] === (action === 'accept' ? 'accepted' : 'rejected');
}

const TARGET_STATE: Record<KeyAction, KeyState | 'deleted'> = { accept: 'accepted', reject: 'rejected', delete: 'deleted' };

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

@Injectable()
export class KeysService {
  constructor(private readonly client: SaltApiClient) {}

  /** Keys by state, only those of minions the caller's view:key grants cover. */
  async list(principal: Principal): Promise<KeysDto> {
    const keys = await this.client.keys();
    const scope = minionScope(principal, 'view:key');
    const pick = (ids: string[]) => ids.filter((id) => inMinionScope(scope, id)).sort();
    return { accepted: pick(keys.minions), pending: pick(keys.minions_pre), rejected: pick(keys.minions_rejected), denied: pick(keys.minions_denied) };
  }

  /** Accept, reject or delete one key through salt-api's wheel client; checks the key moved. */
  async act(ctx: RequestContext, id: string, action: KeyAction): Promise<KeyActionDto> {
    if (!validKeyId(id)) throw new BadRequestException('id: a single minion id (no wildcards, commas, spaces or slashes)');
    ctx.minions = [id];
    const states = keyStatesOf(await this.client.keys(), id);
    if (!states.length) throw new NotFoundException(`no key for minion ${id}`);
    const call = wheelCall(action, states);
    if (!call) throw new ConflictException(`the key of ${id} is already ${states.join(' and ')}`);
    const [ret] = await this.client.run({ client: 'wheel', fun: call.fun, match: id, ...call.flags });
    const data = isDict(ret) && isDict(ret['data']) ? ret['data'] : null;
    if (data && data['success'] === false) {
      throw new BadGatewayException(`salt-api wheel ${call.fun} failed: ${typeof data['return'] === 'string' ? data['return'] : JSON.stringify(data['return'])}`);
    }
    const after = keyStatesOf(await this.client.keys(), id);
    if (!keyMoved(action, after)) {
      throw new BadGatewayException(`salt-api wheel ${call.fun} answered, but the key of ${id} is ${after.join(' and ') || 'gone'}`);
    }
    return { id, previous_states: states, state: TARGET_STATE[action] };
  }
}
