// Porting alerts: the watcher the app starts, and the pure helpers `/onsim ports watch` needs.
export type { LateReason, PortChange, SummaryEntry } from './alerts.js';
export { maskPac, portChangeReply, portParentMessage, portSummaryMessage } from './alerts.js';
export { readPause, SLACK_PAUSED_KV } from './delivery.js';
export type { PortEvent, PortEventKind } from './diff.js';
export { diffPorts } from './diff.js';
export type { WatchFilter } from './filters.js';
export { describeFilter, matches, parseWatchFilter, WATCH_EXAMPLE } from './filters.js';
export { OUTBOX_KINDS } from './outbox.js';
export type { PollResult, PortWatcher, PortWatcherOptions } from './watcher.js';
export { createPortWatcher } from './watcher.js';
