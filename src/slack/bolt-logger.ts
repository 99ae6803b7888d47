import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../logger.js';

/** Routes Bolt's own log lines into pino. */
export function boltLogger(base: Logger): BoltLogger {
  const log = base.child({ name: 'bolt' });
  const line = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  let level = LogLevel.INFO;
  return {
    debug: (...msg: unknown[]) => {
      // Bolt logs several debug lines per request: at info, skip building them at all.
      if (!log.isLevelEnabled('debug')) return;
      const text = line(msg);
      // The Web API client logs whole request bodies at debug level: message texts, including
      // the SIP password shown once to a submitter. Those lines never reach our log.
      if (/^http request (body|headers|result)/i.test(text)) return;
      log.debug(text);
    },
    info: (...msg: unknown[]) => log.info(line(msg)),
    warn: (...msg: unknown[]) => log.warn(line(msg)),
    error: (...msg: unknown[]) => log.error(line(msg)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
