import type { WebClient } from '@slack/web-api';

/** The user's direct-message channel with the bot. */
export async function openDm(client: WebClient, userId: string): Promise<string> {
  const res = await client.conversations.open({ users: userId });
  const id = res.channel?.id;
  if (!id) throw new Error('Slack did not return a direct-message channel');
  return id;
}
