// The gate in front of every listener: guests, people of other workspaces and (when VIEWERS is
// set) anyone not named in a role get a refusal and nothing else — no look-up, no form, no Home.
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { AppDeps } from './deps.js';
import { audit } from './guard/audit.js';
import { refusalHome, refusalModal, refusalText } from './views/access.js';

/** The person behind an incoming request, when it has one the gate must check. */
function requester(args: AnyMiddlewareArgs): string | undefined {
  if ('command' in args) return args.command.user_id;
  if ('event' in args) return args.event.type === 'app_home_opened' ? args.event.user : undefined;
  const body: { user?: { id?: string } } = args.body;
  return body.user?.id;
}

export function accessGate(deps: AppDeps): Middleware<AnyMiddlewareArgs> {
  const log = deps.logger.child({ name: 'access' });
  return async (args) => {
    const userId = requester(args);
    if (!userId) return args.next();
    const access = await deps.roles.access(userId);
    if (access.ok) return args.next();

    const text = refusalText(access.refusal, deps.roles.holders('admin'));
    log.warn({ user: userId, refusal: access.refusal }, 'refused a request to the bot');
    const { client } = args;
    if ('command' in args) {
      await args.ack({ response_type: 'ephemeral', text });
    } else if ('options' in args) {
      await args.ack({ options: [] });
    } else if ('view' in args) {
      if (args.body.type === 'view_submission') {
        await args.ack({ response_action: 'update', view: refusalModal(text) });
      } else await args.ack();
    } else if ('shortcut' in args) {
      await args.ack();
      const trigger = args.shortcut.trigger_id;
      await client.views.open({ trigger_id: trigger, view: refusalModal(text) }).catch(() => {});
    } else if ('action' in args) {
      await args.ack();
      const body = args.body;
      if ('view' in body && body.view && body.view.type === 'modal') {
        await client.views.update({ view_id: body.view.id, view: refusalModal(text) }).catch(() => {});
      } else if (args.respond) {
        await args.respond({ response_type: 'ephemeral', replace_original: false, text }).catch(() => {});
      }
    } else if ('event' in args) {
      await client.views.publish({ user_id: userId, view: refusalHome(text) }).catch(() => {});
    }
    const channelId = 'command' in args ? args.command.channel_id : null;
    await audit(deps, client, {
      userId,
      channelId,
      operation: 'use the bot',
      target: null,
      event: 'refused',
      detail: access.refusal,
    });
  };
}
