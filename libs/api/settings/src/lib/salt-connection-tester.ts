import type { SaltConnectionTestResult } from '@sylvite/contracts';
import type { EffectiveSaltConnection } from './app-settings.service';

/** Implemented by the salt-stream module (it owns the salt-api client); injected by token to avoid a library cycle. */
export interface SaltConnectionTester {
  test(connection: EffectiveSaltConnection): Promise<SaltConnectionTestResult>;
}

export const SALT_CONNECTION_TESTER = Symbol('SALT_CONNECTION_TESTER');
