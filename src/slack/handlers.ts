// The shapes of the listeners that src/listeners.ts registers: Bolt's own argument types, named
// once so every feature module's exported handler says which kind it is.
import type {
  BlockAction,
  ButtonAction,
  GlobalShortcut,
  Middleware,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackShortcutMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewClosedAction,
  ViewSubmitAction,
} from '@slack/bolt';

export type CommandHandler = Middleware<SlackCommandMiddlewareArgs>;
export type ButtonHandler = Middleware<SlackActionMiddlewareArgs<BlockAction<ButtonAction>>>;
/** Any element inside a modal (a select, a button) whose action is read from the payload. */
export type BlockActionHandler = Middleware<SlackActionMiddlewareArgs<BlockAction>>;
export type SubmissionHandler = Middleware<SlackViewMiddlewareArgs<ViewSubmitAction>>;
export type ViewClosedHandler = Middleware<SlackViewMiddlewareArgs<ViewClosedAction>>;
export type ShortcutHandler = Middleware<SlackShortcutMiddlewareArgs<GlobalShortcut>>;
export type EventHandler<E extends string> = Middleware<SlackEventMiddlewareArgs<E>>;
