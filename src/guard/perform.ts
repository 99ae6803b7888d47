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
): Promise<Outcome<T>> {
  const base = { userId: ctx.userId, channelId: ctx.channelId, operation: ctx.operation, target: ctx.target };
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
  if (outcome.kind !== 'succeeded' && !(outcome.error instanceof OnsimInputError)) {
    deps.logger.warn({ ...base, outcome: outcome.kind, err: outcome.error }, 'onsim write did not succeed');
  }
  return outcome;
}
