import type {
  AckFn,
  AllMiddlewareArgs,
  App,
  SlackViewMiddlewareArgs,
  ViewResponseAction,
  ViewSubmitAction,
} from '@slack/bolt';
import { badgeView } from './message.js';

type SubmissionArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/**
 * Registers a modal's submission handler. Views answered in the ack (`response_action: 'update'`
 * or `'push'`) never pass through the Web API client, so the sandbox mark is added here.
 */
export function onViewSubmission(
  app: App,
  deps: { sandbox: boolean },
  callbackId: string,
  handler: (args: SubmissionArgs) => Promise<void>,
): void {
  app.view<ViewSubmitAction>(callbackId, async (args) => {
    const ack: AckFn<ViewResponseAction> = (response) =>
      args.ack(
        response && (response.response_action === 'update' || response.response_action === 'push')
          ? { ...response, view: badgeView(response.view, deps.sandbox) }
          : response,
      );
    await handler({ ...args, ack });
  });
}
