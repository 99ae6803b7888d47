import type { App } from '@slack/bolt';
import type { AppDeps } from './deps.js';
import { homeView } from './views/home.js';

/** The App Home tab: the caller's role, what they can do, and quick actions. */
export function registerHome(app: App, deps: AppDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const role = await deps.roles.roleOf(event.user);
    await client.views.publish({ user_id: event.user, view: homeView({ role, sandbox: deps.sandbox }) });
  });
}
