// The App Home tab and its buttons.
import { openProvisionFormOutsideChannel } from './commands/provision.js';
import type { AppDeps } from './deps.js';
import type { BlockActionHandler, EventHandler } from './slack/handlers.js';
import { homeView } from './views/home.js';

/** The Home tab: the caller's role, what they can do, and quick actions. */
export const onHomeOpened =
  (deps: AppDeps): EventHandler<'app_home_opened'> =>
  async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const role = await deps.roles.roleOf(event.user);
    await client.views.publish({ user_id: event.user, view: homeView({ role, sandbox: deps.sandbox }) });
  };

/** The Home tab's "Provision a SIM" button. */
export const onHomeProvision =
  (deps: AppDeps): BlockActionHandler =>
  async ({ ack, body, client }) => {
    await ack();
    await openProvisionFormOutsideChannel(deps, client, {
      userId: body.user.id,
      triggerId: body.trigger_id,
      source: 'home',
    });
  };
