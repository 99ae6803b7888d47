/** The Slack error code of a Web API failure (`not_in_channel`…), if it is one. */
export function slackErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('data' in err)) return undefined;
  const data = err.data;
  if (typeof data !== 'object' || data === null || !('error' in data)) return undefined;
  return typeof data.error === 'string' ? data.error : undefined;
}

/** A Slack error code as users see it: as code, so mrkdwn cannot eat its underscores as italics. */
export const shownCode = (code: string): string => `\`${code.replace(/[^a-z0-9_.-]/gi, '')}\``;
