import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { postRecord } from '../slack/record.js';
import { esc, mention } from '../slack/text.js';
import { audit } from './audit.js';

/** Well past any ONSIM call's own time limit: a claim this long after expiry has no one working on it. */
const GRACE_MS = 5 * 60_000;

/**
 * A confirmed action (or any write, see perform) whose instance stopped mid-way (crash, kill) stays "claimed" for ever: it
 * must never run again, yet nobody knows whether ONSIM did it. Say so — once, atomically, even
 * with several instances — in the audit trail and in the channel it was asked in.
 */
export async function settleAbandonedClaims(deps: AppDeps, client: WebClient): Promise<number> {
  let settled = 0;
  for (const c of await deps.store.abandonedClaims(deps.now() - GRACE_MS)) {
    try {
      await deps.store.finishConfirmation(c.id, 'outcome_unknown');
    } catch {
      continue; // another instance settled it first
    }
    settled++;
    const why = 'the bot stopped while carrying it out';
    // A write that needed no confirmation (src/guard/perform.ts) is tracked the same way.
    const inFlight = c.payload.inFlight === true;
    await audit(deps, client, {
      userId: c.userId,
      channelId: c.channelId,
      operation: c.operation,
      target: c.target,
      event: 'outcome_unknown',
      detail: why,
    });
    if (c.channelId) {
      await postRecord(
        deps,
        client,
        c.channelId,
        `❓ *Outcome unknown*: ${esc(c.operation)} of \`${esc(c.target)}\`, ${inFlight ? 'asked' : 'confirmed'} by ${mention(c.userId)} — ${why}. ONSIM may or may not have done it: *check before retrying*.`,
      );
    }
  }
  return settled;
}
