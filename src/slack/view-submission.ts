import type { AckFn, ViewResponseAction } from '@slack/bolt';
import type { SubmissionHandler } from './handlers.js';
import { badgeView } from './message.js';

/**
 * A modal's submission handler. Views answered in the ack (`response_action: 'update'` or
 * `'push'`) never pass through the Web API client, so the sandbox mark is added here.
 */
export function viewSubmission(deps: { sandbox: boolean }, handler: SubmissionHandler): SubmissionHandler {
  return async (args) => {
    const ack: AckFn<ViewResponseAction> = (response) =>
      args.ack(
        response && (response.response_action === 'update' || response.response_action === 'push')
          ? { ...response, view: badgeView(response.view, deps.sandbox) }
          : response,
      );
    await handler({ ...args, ack });
  };
}
