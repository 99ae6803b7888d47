import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../logger.js';

/**
 * Debug lines of Bolt, the Web API client and the Socket Mode client that carry whole payloads:
 * request bodies and results (message texts, the SIP password shown once to a submitter), every
 * incoming WebSocket envelope (a settings form's SIP password, a typed activation code) and every
 * ack body. Each pattern matches the part of the line that says what it is about.
 */
const PAYLOAD_LINES = [
  /^http request (body|headers)/i,
  /^http (request )?result/i,
  /^Received a message on the WebSocket/i,
  /^Unable to parse an incoming WebSocket message/i,
  /^Sending a WebSocket message/i,
  /^Calling ack\(\) - type: [\w-]+/i,
  /^ack\(\) (call begins|response stored|response sent)/i,
  // Bolt's developer mode logs every request body as bare JSON.
  /^\{"/,
];

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
      const carrier = PAYLOAD_LINES.find((re) => re.test(text));
      if (carrier) {
        // Only what the line is about; the payload itself never reaches our log.
        const about = text.match(carrier)?.[0] ?? '';
        if (about) log.debug(`${about.replace(/[\s:(]+$/, '')} (payload not logged)`);
        return;
      }
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
