// Steps many typed commands begin with, each answering the user itself when it says no.
import type { AppDeps } from '../deps.js';
import { authorize } from '../guard/authorize.js';
import { type Parsed, parseMpn } from '../onsim/identifiers.js';
import { plain } from '../slack/message.js';
import type { Role } from '../slack/roles.js';
import { esc } from '../slack/text.js';
import type { Invocation } from './types.js';

/** The number typed (E.164 digits as `value`); null once the user was told it is missing or not a number. */
export async function typedMpn(
  inv: Invocation,
  deps: AppDeps,
  typed: string,
  usageLine: string,
): Promise<Extract<Parsed<string>, { ok: true }> | null> {
  if (typed === '') {
    await inv.reply(plain(`Which number? ${usageLine}`));
    return null;
  }
  const mpn = parseMpn(typed, deps.config.defaultCountry);
  if (!mpn.ok) {
    await inv.reply(plain(`⚠️ ${esc(mpn.error)}\n${usageLine}`));
    return null;
  }
  return mpn;
}

/**
 * Whether the caller holds `role` for a step of a command that less may run (e.g. `ports watch`
 * in the viewers' `ports`); when not, the refusal has been said and audited.
 */
export async function mayDo(
  inv: Invocation,
  deps: AppDeps,
  role: Role,
  operation: string,
  target: string | null,
): Promise<boolean> {
  const who = { userId: inv.userId, channelId: inv.channelId };
  const auth = await authorize(deps, inv.client, who, role, operation, target);
  if (!auth.ok) await inv.reply(plain(auth.message));
  return auth.ok;
}
