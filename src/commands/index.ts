import type { Subcommand } from './types.js';
import { whoami } from './whoami.js';

/**
 * Every `/onsim` subcommand, in the order help lists them. Adding one: write its module in
 * this folder and add it here; help, routing and suggestions follow.
 */
export const SUBCOMMANDS: readonly Subcommand[] = [whoami];
