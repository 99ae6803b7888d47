// `npm run sandbox`: serves the ONSIM sandbox on its own, for demos and for running the bot
// against it by hand. SANDBOX_PORT (default 4010), SANDBOX_API_KEY (default 'sandbox-key').
import { createLogger } from '../../logger.js';
import { SANDBOX_FIXTURES } from './seed.js';
import { startSandbox } from './server.js';

const env = process.env;
const logger = createLogger({ level: env.LOG_LEVEL ?? 'info' });
const port = Number(env.SANDBOX_PORT ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  logger.fatal({ SANDBOX_PORT: env.SANDBOX_PORT }, 'SANDBOX_PORT must be a port number');
  process.exit(1);
}

const sandbox = await startSandbox({ port, apiKey: env.SANDBOX_API_KEY ?? 'sandbox-key', logger });
// `key`, not `apiKey`: the logger redacts apiKey, and this one is meant to be read.
logger.info(
  { url: sandbox.url, key: sandbox.apiKey, admin: `${sandbox.url}/__admin`, fixtures: SANDBOX_FIXTURES },
  `ONSIM sandbox listening: ONSIM_BASE_URL=${sandbox.url} ONSIM_API_KEY=${sandbox.apiKey}`,
);

const stop = (signal: string) => {
  logger.info({ signal }, 'ONSIM sandbox stopping');
  sandbox.close().then(
    () => process.exit(0),
    (err: unknown) => {
      logger.error({ err }, 'ONSIM sandbox did not close cleanly');
      process.exit(1);
    },
  );
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
