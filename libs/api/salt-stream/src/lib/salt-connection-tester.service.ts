import { Injectable } from '@nestjs/common';
import type { SaltConnectionTestResult } from '@sylvite/contracts';
import type { EffectiveSaltConnection, SaltConnectionTester } from '@sylvite/api-settings';
import { SaltApiError } from './client/errors';
import { SaltApiClient } from './client/salt-api.client';
import type { SaltRootInfo } from './client/types';

/** netapi clients Sylvite needs (PROTOCOL.md §1.5): `/jobs` runner, `/keys` wheel, `/minions` local, dispatch local_async. */
export const REQUIRED_CLIENTS = ['local', 'local_async', 'runner', 'wheel'];

/**
 * Logs in with settings that may not be saved and reports what it finds: enabled clients, the
 * login's identity and permissions, the minion count. Uses a throw-away client; saves nothing.
 */
@Injectable()
export class SaltConnectionTesterService implements SaltConnectionTester {
  async test(conn: EffectiveSaltConnection): Promise<SaltConnectionTestResult> {
    const started = Date.now();
    const result: SaltConnectionTestResult = {
      ok: false, url: conn.url, eauth: conn.eauth, user: null, error: null, status: null, salt_version: null, server: null,
      clients: [], missing_clients: [], minion_count: null, minion_count_source: null, pending_keys: null, perms: null,
      token_lifetime_s: null, latency_ms: 0,
    };
    if (!conn.url || !conn.username) {
      result.error = !conn.url ? 'url: not set' : 'username: not set';
      return result;
    }
    const client = new SaltApiClient(conn, { timeoutMs: 10_000 });
    try {
      const root: SaltRootInfo | null = await client.root().catch((err) => {
        if (err instanceof SaltApiError) return null;
        throw err;
      });
      if (root) {
        result.clients = root.clients;
        result.server = root.server;
        result.salt_version = root.saltVersion;
        result.missing_clients = root.clients.length ? REQUIRED_CLIENTS.filter((c) => !root.clients.includes(c)) : [];
      }
      const login = await client.relogin();
      result.user = login.user;
      result.perms = login.perms;
      result.token_lifetime_s = Math.round(login.expire - login.start);
      try {
        const keys = await client.keys();
        result.minion_count = keys.minions.length;
        result.minion_count_source = 'keys';
        result.pending_keys = keys.minions_pre.length;
      } catch {
        try {
          const minions = await client.minions();
          result.minion_count = Object.keys(minions).length;
          result.minion_count_source = 'minions';
        } catch (err) {
          // Logged in: the connection works even if the fleet cannot be counted (wheel/local disabled).
          result.error = `logged in, but could not count minions: ${(err as Error).message}`;
        }
      }
      result.ok = true;
    } catch (err) {
      result.error = (err as Error).message;
      if (err instanceof SaltApiError) result.status = err.saltStatus;
    } finally {
      client.close();
      result.latency_ms = Date.now() - started;
    }
    return result;
  }
}
