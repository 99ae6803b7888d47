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
