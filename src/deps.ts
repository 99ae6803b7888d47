import type { Background } from './background.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { OnsimClient } from './onsim/client.js';
import type { ReadLimiter } from './read-limit.js';
import type { Roles } from './slack/roles.js';
import type { Store } from './store/types.js';

/** Everything a handler needs, passed in (never imported as singletons). */
export interface AppDeps {
  config: Config;
  logger: Logger;
  onsim: OnsimClient;
  store: Store;
  roles: Roles;
  /** True when ONSIM is the built-in sandbox: every reply says so. */
  sandbox: boolean;
  now: () => number;
  /** Ordered work that must not delay an answer to Slack; a shutdown waits for it. */
  background: Background;
  /** Per-user budget for the look-ups that ask ONSIM. */
  readLimiter: ReadLimiter;
  metrics: Metrics;
}
