import { account } from './account.js';
import { audit } from './audit.js';
import { bundle } from './bundle.js';
import { catalogue } from './catalogue.js';
import { cease } from './cease.js';
import { csv } from './csv.js';
import { esim } from './esim.js';
import { esimRefresh } from './esim-refresh.js';
import { find } from './find.js';
import { group } from './group.js';
import { groups } from './groups.js';
import { number } from './number.js';
import { numbers } from './numbers.js';
import { port } from './port.js';
import { ports } from './ports.js';
import { provision } from './provision.js';
import { qr } from './qr.js';
import { recording } from './recording.js';
import { settings } from './settings.js';
import { sims } from './sims.js';
import { subscribers } from './subscribers.js';
import type { Subcommand } from './types.js';
import { usage } from './usage.js';
import { whoami } from './whoami.js';

/**
 * Every `/onsim` subcommand, in the order help lists them. Adding one: write its module in
 * this folder and add it here; help, routing and suggestions follow.
 */
export const SUBCOMMANDS: readonly Subcommand[] = [
  account,
  find,
  esim,
  catalogue,
  subscribers,
  groups,
  sims,
  numbers,
  ports,
  port,
  usage,
  csv,
  provision,
  qr,
  bundle,
  settings,
  group,
  number,
  recording,
  esimRefresh,
  cease,
  audit,
  whoami,
];
