/** Block Kit limits live beside the emulator that enforces them (src/slack-emulator). */
export {
  assertWithinBlockKitLimits,
  type BlockKitPayload,
  blockKitProblems,
  type Surface,
} from '../../src/slack-emulator/block-kit-limits.js';
