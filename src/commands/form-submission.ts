// The opening of every modal submission, before the handler does its own work: the form's
// metadata read back ("this form is outdated" otherwise), the submitter's role checked again
// (it may have changed since the form opened; a refusal is audited), and the fields parsed
// (field errors shown under the fields). Each step that stops the submission says what to
// answer in the ack; the handler sends it.
import type { ViewResponseAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { authorize } from '../guard/authorize.js';
import type { JsonCodec } from '../slack/metadata.js';
import type { Role } from '../slack/roles.js';
import type { Recipient } from '../slack/tell.js';
import type { Confirmation } from '../store/types.js';
import { confirmationMetadata, noticeModal } from '../views/confirm.js';

/** A view's parser's answer: its own fields when ok, else messages keyed by the block_id they go under. */
type Parsed = { ok: true } | { ok: false; errors: Record<string, string> };
type Valid<P extends Parsed> = Extract<P, { ok: true }>;
const isValid = <P extends Parsed>(p: P): p is Valid<P> => p.ok;

/** What a submission carries, as the opening reads it. */
export const submitted = (
  body: { user: { id: string } },
  view: { private_metadata: string; state: { values: unknown } },
) => ({ userId: body.user.id, privateMetadata: view.private_metadata, values: view.state.values });

export interface SubmissionSpec<M, P extends Parsed> {
  /** The modal's title, for the notice that replaces it when the submission stops. */
  title: string;
  /** The form's private_metadata; it decodes to undefined when not this form's (outdated, forged). */
  metadata: JsonCodec<M>;
  /** What to run again when the form is outdated, e.g. "/onsim bundle". */
  again: string;
  /** "changed", "added", "ceased": what did not happen. */
  nothing: string;
  need: Role;
  operation: string;
  channel: (meta: M) => string | null;
  parse: (values: unknown, meta: M) => P;
  /** The audit target of a refusal: from the metadata or, when they parsed, the fields. */
  target: (meta: M, fields: Valid<P> | null) => string | null;
}

export type OpenedSubmission<M, P extends Parsed> =
  | { ok: true; meta: M; fields: Valid<P>; who: Recipient }
  | { ok: false; answer: ViewResponseAction };

/** The opening of a form's submission; `answer` is the ack when it stops there. */
export async function openSubmission<M, P extends Parsed>(
  deps: AppDeps,
  client: WebClient,
  form: ReturnType<typeof submitted>,
  spec: SubmissionSpec<M, P>,
): Promise<OpenedSubmission<M, P>> {
  const notice = (text: string): OpenedSubmission<M, P> => ({
    ok: false,
    answer: { response_action: 'update', view: noticeModal(spec.title, text) },
  });
  const meta = spec.metadata.decode(form.privateMetadata);
  if (meta === undefined) {
    return notice(
      `This form is outdated; nothing was ${spec.nothing}. Close it and run \`${spec.again}\` again.`,
    );
  }
  const who = { userId: form.userId, channelId: spec.channel(meta) };
  const fields = spec.parse(form.values, meta);
  const valid = isValid(fields) ? fields : null;
  const auth = await authorize(deps, client, who, spec.need, spec.operation, spec.target(meta, valid));
  if (!auth.ok) return notice(auth.message);
  if (valid === null) {
    const errors = fields.ok ? {} : fields.errors;
    return { ok: false, answer: { response_action: 'errors', errors } };
  }
  return { ok: true, meta, fields: valid, who };
}

export type ConfirmationForm<P> =
  | { ok: true; confirmation: Confirmation; payload: P }
  | { ok: false; answer: ViewResponseAction };

export interface ConfirmationSpec<P>
  extends Pick<SubmissionSpec<unknown, Parsed>, 'title' | 'again' | 'nothing'> {
  operation: string;
  payload: z.ZodType<P>;
  need: Role;
}

/**
 * The same opening for a confirmation modal: the confirmation named in its metadata, of the
 * expected operation with a readable payload (else "no longer valid"), and the submitter's role
 * checked again (a refusal is audited); `answer` is the ack when it stops there. Claiming it
 * stays with the caller, after its own checks.
 */
export async function loadConfirmationForm<P>(
  deps: AppDeps,
  client: WebClient,
  privateMetadata: string,
  userId: string,
  expect: ConfirmationSpec<P>,
): Promise<ConfirmationForm<P>> {
  const notice = (text: string): ConfirmationForm<P> => ({
    ok: false,
    answer: { response_action: 'update', view: noticeModal(expect.title, text) },
  });
  const id = confirmationMetadata.decode(privateMetadata);
  const c = id ? await deps.store.getConfirmation(id) : null;
  const parsed = c?.operation === expect.operation ? expect.payload.safeParse(c.payload) : null;
  if (!c || !parsed?.success) {
    return notice(
      `This form is no longer valid. Nothing was ${expect.nothing}; run \`${expect.again}\` again.`,
    );
  }
  const auth = await authorize(
    deps,
    client,
    { userId, channelId: c.channelId },
    expect.need,
    c.operation,
    c.target,
  );
  if (!auth.ok) return notice(auth.message);
  return { ok: true, confirmation: c, payload: parsed.data };
}
