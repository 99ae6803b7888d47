/** The test suite's Slack is the playground's emulator (src/slack-emulator), lenient by default. */
export {
  type Args,
  type CompletedUpload,
  type Failure,
  type FakeSlack,
  type RecordedCall,
  type RecordedResponse,
  type SlackMessage,
  type StoredView,
  startFakeSlack,
} from '../../src/slack-emulator/emulator.js';
