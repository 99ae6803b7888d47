import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import type { Logger } from '../logger.js';
import type { Message } from '../slack/message.js';
import type { Role } from '../slack/roles.js';

/** One typed `/onsim <sub> …`, or a button that re-runs it (page change, share). */
export interface Invocation {
  /** Words after the subcommand name. */
  args: string[];
  /** The whole text after `/onsim`, as typed (re-run by Share and paging buttons). */
  text: string;
  userId: string;
  channelId: string;
  /** Empty when re-run from a button that gave no trigger. */
  triggerId: string;
  /** 0-based page for list answers. */
  page: number;
  /** The answer goes to the whole channel (Share in channel): show no one's write buttons. */
  shared: boolean;
  client: WebClient;
  log: Logger;
  /** Answers the user: ephemeral, replacing the "working…" note. The sandbox badge is added here. */
  reply(msg: Message): Promise<void>;
  /** Call before opening a modal: the modal is the answer, so no "working…" note is shown. */
  answeringInModal(): void;
}

export interface Subcommand {
  name: string;
  aliases?: readonly string[];
  /** e.g. `account <mpn>`; shown in help (escaped there). */
  usage: string;
  summary: string;
  /** Least role that may run it; help shows each caller only what their role allows. */
  role: Role;
  /** Operation name for refusals and the audit trail, when the command writes. */
  operation?: string;
  run(inv: Invocation, deps: AppDeps): Promise<void>;
}
