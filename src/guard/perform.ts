import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { errorSummary, OnsimInputError, OnsimOutcomeUnknownError } from '../onsim/errors.js';
import { audit } from './audit.js';

export type Outcome<T> =
  | { kind: 'succeeded'; value: T }
  | { kind: 'failed'; error: unknown }
  | { kind: 'outcome_unknown'; error: OnsimOutcomeUnknownError };

export interface WriteContext {
  userId: string;
  channelId: string | null;
  operation: string;
  target: string | null;
  /** Extra words for the audit trail (a reason, the new value); never secrets. */
  detail?: string | null;
}

/**
 * Runs one ONSIM write and records its outcome in the audit trail. Never throws for an
 * ONSIM failure: "outcome unknown" stays distinct from failure so nobody reads it as success.
 */
export async function perform<T>(
  deps: AppDeps,
  client: WebClient,
  ctx: WriteContext,
  action: () => Promise<T>,
  opts: { confirmed?: boolean } = {},
): Promise<Outcome<T>> {
  const base = { userId: ctx.userId, channelId: ctx.channelId, operation: ctx.operation, target: ctx.target };
  // A trace before the call, so a write cut off by a crash or SIGTERM is still known: a claimed
  // in-flight record that the abandoned-claims sweep reports as "outcome unknown", and a
  // "started" audit entry. A confirmed write has both already (its claimed confirmation and
  // "confirmed" entry). Without the trace the write is not sent.
  const inFlight = opts.confirmed ? null : await startInFlight(deps, ctx);
  if (!opts.confirmed) await audit(deps, client, { ...base, event: 'started', detail: ctx.detail ?? null });
  let outcome: Outcome<T>;
  try {
    outcome = { kind: 'succeeded', value: await action() };
  } catch (error) {
    outcome =
      error instanceof OnsimOutcomeUnknownError
        ? { kind: 'outcome_unknown', error }
        : { kind: 'failed', error };
  }
  const detail =
    outcome.kind === 'succeeded'
      ? (ctx.detail ?? null)
      : [ctx.detail, errorSummary(outcome.error)].filter(Boolean).join(' — ');
  try {
    await audit(deps, client, { ...base, event: outcome.kind, detail });
  } catch (err) {
    // The write happened (or may have); losing its audit line must not hide its outcome.
    deps.logger.error({ err, ...base, outcome: outcome.kind }, 'could not write the audit entry');
  }
  if (inFlight) {
    await deps.store
      .finishConfirmation(inFlight, outcome.kind)
      .catch((err: unknown) => deps.logger.error({ err, inFlight }, 'could not close the in-flight record'));
  }
  if (outcome.kind !== 'succeeded' && !(outcome.error instanceof OnsimInputError)) {
    deps.logger.warn({ ...base, outcome: outcome.kind, err: outcome.error }, 'onsim write did not succeed');
  }
  return outcome;
}

/** Records a write as claimed and in flight (in the confirmations table, as a confirmed step is). */
async function startInFlight(deps: AppDeps, ctx: WriteContext): Promise<string> {
  const id = randomUUID();
  const at = deps.now();
  await deps.store.createConfirmation({
    id,
    operation: ctx.operation,
    userId: ctx.userId,
    channelId: ctx.channelId,
    target: ctx.target ?? ctx.operation,
    payload: { inFlight: true },
    createdAt: at,
    // Not a confirmation anyone answers: claimed at once, "expired" the moment the write began.
    expiresAt: at + 1,
  });
  const claim = await deps.store.claimConfirmation(id, ctx.userId, at);
  if (claim.kind !== 'claimed') throw new Error(`could not record the write in flight (${claim.kind})`);
  return id;
}
