import { BadGatewayException, BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { Principal } from '@sylvite/contracts';
import type { RequestContext } from '@sylvite/api-core';
import { SaltApiClient, type SaltKeys } from '@sylvite/api-salt-stream';
import { minionScope } from '../jobs/jobs.service';
import { inMinionScope } from '../target/target';
import type { KeyActionDto, KeysDto, KeyState } from '../wire';

export type KeyAction = 'accept' | 'reject' | 'delete';

/**
 * A key id as the wheel functions take it: `match` is a glob there, so anything that could match
 * more than the one key (wildcards, lists) or escape the pki directory is refused.
 */
export function validKeyId(id: string): boolean {
  return id.length > 0 && id.length <= 255 && !/[*?[\]!,\s/\\]/.test(id) && id !== '.' && id !== '..' && !id.startsWith('.');
}

export function keyStateOf(keys: SaltKeys, id: string): KeyState | null {
  if (keys.minions.includes(id)) return 'accepted';
  if (keys.minions_pre.includes(id)) return 'pending';
  if (keys.minions_rejected.includes(id)) return 'rejected';
  if (keys.minions_denied.includes(id)) return 'denied';
  return null;
}

/**
 * The wheel call for an action on a key in a given state: `key.accept` moves pending keys only
 * unless told to take rejected (`include_rejected`) or denied (`include_denied`) ones too;
 * `key.reject` likewise for accepted and denied ones (salt/wheel/key.py). Null when the key is
 * already where the action would put it.
 */
export function wheelCall(action: KeyAction, state: KeyState): { fun: string; flags: Record<string, boolean> } | null {
  if (action === 'delete') return { fun: 'key.delete', flags: {} };
  if (action === 'accept') {
    if (state === 'accepted') return null;
    return { fun: 'key.accept', flags: { include_rejected: state === 'rejected', include_denied: state === 'denied' } };
  }
  if (state === 'rejected') return null;
  return { fun: 'key.reject', flags: { include_accepted: state === 'accepted', include_denied: state === 'denied' } };
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
    const state = keyStateOf(await this.client.keys(), id);
    if (!state) throw new NotFoundException(`no key for minion ${id}`);
    const call = wheelCall(action, state);
    if (!call) throw new ConflictException(`the key of ${id} is already ${state}`);
    const [ret] = await this.client.run({ client: 'wheel', fun: call.fun, match: id, ...call.flags });
    const data = isDict(ret) && isDict(ret['data']) ? ret['data'] : null;
    if (data && data['success'] === false) {
      throw new BadGatewayException(`salt-api wheel ${call.fun} failed: ${typeof data['return'] === 'string' ? data['return'] : JSON.stringify(data['return'])}`);
    }
    const after = keyStateOf(await this.client.keys(), id);
    const expected = TARGET_STATE[action];
    if ((expected === 'deleted' && after !== null) || (expected !== 'deleted' && after !== expected)) {
      throw new BadGatewayException(`salt-api wheel ${call.fun} answered, but the key of ${id} is ${after ?? 'gone'}`);
    }
    return { id, previous_state: state, state: expected };
  }
}
