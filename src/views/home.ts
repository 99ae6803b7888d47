import type { HomeView, KnownBlock } from '@slack/types';
import { SANDBOX_NOTE } from '../slack/message.js';
import { aRole, type Role } from '../slack/roles.js';

export const ACTION_HOME_PROVISION = 'home_provision';

export function homeView(data: { role: Role; sandbox: boolean }): HomeView {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'ONSIM operations' } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `You are ${aRole(data.role)}. Type \`/onsim help\` in any channel for the commands your role allows.`,
      },
    },
  ];
  if (data.role !== 'viewer') {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION_HOME_PROVISION,
          text: { type: 'plain_text', text: 'Provision a SIM' },
          style: 'primary',
        },
      ],
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: 'Look-ups: `/onsim account <mpn>`, `/onsim esim <mpn>`, `/onsim ports`. Destructive steps always ask you to confirm.'
          .replace(/</g, '&lt;')
          .replace(/>/g, '&gt;'),
      },
    ],
  });
  if (data.sandbox) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: SANDBOX_NOTE }] });
  return { type: 'home', blocks };
}
