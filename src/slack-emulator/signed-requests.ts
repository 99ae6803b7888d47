// What Slack sends an app's request URL, built once: the v0 signature and a slash command's form
// fields in Slack's order. The playground's Slack, the tests' driver and the bench's load client
// all sign with this.
import { createHmac } from 'node:crypto';

export interface SignatureHeaders {
  'X-Slack-Request-Timestamp': string;
  'X-Slack-Signature': string;
}

/** Slack's v0 signature: HMAC-SHA256 over `v0:<ts>:<raw body>`, lowercase hex. */
export function signRequest(
  secret: string,
  body: string,
  timestamp: number = Math.floor(Date.now() / 1000),
): SignatureHeaders {
  const digest = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'X-Slack-Request-Timestamp': String(timestamp), 'X-Slack-Signature': `v0=${digest}` };
}

/** Bolt's HTTP receiver accepts exactly this content type: with `; charset=…` it tries JSON and answers 400. */
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** The headers of a signed form body (a slash command, or `payload=<json>`). */
export const signedFormHeaders = (secret: string, body: string): Record<string, string> => ({
  'Content-Type': FORM_CONTENT_TYPE,
  ...signRequest(secret, body),
});

export interface SlashCommand {
  token: string;
  teamId: string;
  teamDomain: string;
  channelId: string;
  channelName: string;
  userId: string;
  userName: string;
  command: string;
  text: string;
  appId: string;
  responseUrl: string;
  triggerId: string;
}

/** A slash command's form fields, every one Slack sends, in Slack's order. */
export function slashCommandFields(c: SlashCommand): Record<string, string> {
  return {
    token: c.token,
    team_id: c.teamId,
    team_domain: c.teamDomain,
    channel_id: c.channelId,
    channel_name: c.channelName,
    user_id: c.userId,
    user_name: c.userName,
    command: c.command,
    text: c.text,
    api_app_id: c.appId,
    is_enterprise_install: 'false',
    response_url: c.responseUrl,
    trigger_id: c.triggerId,
  };
}

/** The same, as the form body Slack posts. */
export const slashCommandBody = (c: SlashCommand): string =>
  new URLSearchParams(slashCommandFields(c)).toString();
