import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { OnsimAccount } from '../onsim/client.js';
import type { Store } from '../store/types.js';

/** What one step of a follow-up needs. */
export interface FollowContext {
  store: Store;
  onsim: { account: Pick<OnsimAccount, 'getEsim' | 'get'> };
  /** No client-side retries: the poller backs off itself. */
  slack: WebClient;
  log: Logger;
  now: () => number;
  esimPollMs: number;
  esimHours: number;
  usagePollMs: number;
}

/** Slack errors meaning the thing to change is gone already: nothing left to do about it. */
const ALREADY_GONE = new Set([
  'file_not_found',
  'file_deleted',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
]);

/** Runs a Slack call whose target may be gone already (deleted by hand): false if it was. */
export async function ignoringGone(
  ctx: FollowContext,
  what: string,
  work: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code && ALREADY_GONE.has(code)) {
      ctx.log.info({ code, what }, 'follow-up: already gone');
      return false;
    }
    throw err;
  }
}
