import { randomBytes } from 'node:crypto';
import type {
  AuthenticationResult,
  IdentitySource,
  IdentitySourcePlugin,
  SourceContext,
} from '../../src/plugin-api.ts';
import type { BuiltinSourceConfig } from './config.ts';
import { argon2Hasher } from './password-hasher.ts';

export { argon2Hasher } from './password-hasher.ts';

// Built-in accounts: passwords live in provisiond itself, hashed with argon2id. A temporary
// password (set by an administrator) signs in only to be changed (mustChangePassword).
class BuiltinSource implements IdentitySource {
  readonly type = 'builtin';
  constructor(
    readonly name: string,
    private readonly context: SourceContext,
  ) {}

  async test() {
    return { ok: true, message: 'built-in accounts are stored in provisiond' };
  }

  async authenticate(login: string, password: string): Promise<AuthenticationResult> {
    const account = await this.context.findLocalAccount(login);
    if (!account) {
      // Spend the same time as a real check so that timing does not tell which logins exist.
      dummyHash ??= argon2Hasher.hash(randomBytes(16).toString('hex'));
      await argon2Hasher.verify(await dummyHash, password);
      return { ok: false, reason: 'unknown-login' };
    }
    if (!account.passwordHash) return { ok: false, reason: 'no-password' };
    if (!(await argon2Hasher.verify(account.passwordHash, password)))
      return { ok: false, reason: 'wrong-password' };
    if (account.status === 'disabled') return { ok: false, reason: 'disabled' };
    return { ok: true, memberId: account.memberId, mustChangePassword: account.mustChangePassword };
  }
}

let dummyHash: Promise<string> | undefined;

export const builtinPlugin: IdentitySourcePlugin<BuiltinSourceConfig> = {
  type: 'builtin',
  create: (config, context) => new BuiltinSource(config.name, context),
};
