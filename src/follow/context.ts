import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { OnsimClient } from '../onsim/client.js';
import type { Store } from '../store/types.js';

/** What one step of a follow-up needs. */
export interface FollowContext {
  store: Store;
  onsim: Pick<OnsimClient, 'getEsim' | 'getAccount'>;
  /** No client-side retries: the poller backs off itself. */
  slack: WebClient;
  log: Logger;
  now: () => number;
  esimPollMs: number;
  esimHours: number;
  usagePollMs: number;
}
