// Every command, button, modal, shortcut and event the bot answers, by its id, with the named
// handler that answers it. Feature modules export the handlers; nothing else registers listeners.
import type { App } from '@slack/bolt';
import { onBundleButton, onBundleSubmit } from './commands/bundle.js';
import { onCeaseButton, onCeaseSubmit } from './commands/cease.js';
import { cancelOnClose } from './commands/confirm-click.js';
import { onCsvButton } from './commands/csv.js';
import { onShowCodeButton } from './commands/esim.js';
import { onEsimRefreshButton, onEsimRefreshCancel, onEsimRefreshConfirm } from './commands/esim-refresh.js';
import { onGroupSubmit } from './commands/group.js';
import { LOOKUP_SHORTCUT_ID, onLookupShortcut } from './commands/lookup-message.js';
import {
  onProvisionFlavour,
  onProvisionRetry,
  onProvisionShortcut,
  onProvisionSubmit,
} from './commands/provision.js';
import { onAccountQrButton, onEsimQrButton, onQrDeleteButton } from './commands/qr.js';
import { onRecordingButton, onRecordingChooseSubmit, onRecordingOffSubmit } from './commands/recording.js';
import { onOpenButton, onPageButton, onShareButton, onSlashCommand } from './commands/router.js';
import { onSettingsButton, onSettingsSubmit } from './commands/settings.js';
import type { AppDeps } from './deps.js';
import {
  onHomeLookup,
  onHomeLookupOpen,
  onHomeLookupSubmit,
  onHomeOpened,
  onHomePortDetails,
  onHomeProvision,
} from './home.js';
import {
  ACTION_ACCOUNT_BUNDLE,
  ACTION_ACCOUNT_CEASE,
  ACTION_ACCOUNT_QR,
  ACTION_ACCOUNT_RECORDING,
  ACTION_ACCOUNT_SETTINGS,
  ACTION_ESIM_QR,
  ACTION_ESIM_REFRESH,
  ACTION_ESIM_SHOW_CODE,
} from './views/action-ids.js';
import { BUNDLE_CALLBACK_ID } from './views/bundle.js';
import { CEASE_CALLBACK_ID } from './views/cease.js';
import { ACTION_ESIM_REFRESH_CANCEL, ACTION_ESIM_REFRESH_CONFIRM } from './views/esim-refresh.js';
import { GROUP_CALLBACK_ID } from './views/group.js';
import {
  ACTION_HOME_LOOKUP,
  ACTION_HOME_PORT_DETAILS,
  ACTION_HOME_PROVISION,
  ACTION_LOOKUP_OPEN,
  HOME_LOOKUP_CALLBACK_ID,
} from './views/home.js';
import { ACTION_LIST_CSV } from './views/list.js';
import {
  PROVISION_CALLBACK_ID,
  PROVISION_FLAVOUR_ACTION,
  PROVISION_RETRY_ACTION,
  PROVISION_SHORTCUT_ID,
} from './views/provision.js';
import { ACTION_QR_DELETE } from './views/qr.js';
import { RECORDING_CHOOSE_CALLBACK_ID, RECORDING_OFF_CALLBACK_ID } from './views/recording.js';
import { ACTION_OPEN, ACTION_PAGE, ACTION_SHARE, SLASH_COMMAND } from './views/rerun.js';
import { SETTINGS_CALLBACK_ID } from './views/settings.js';

export function registerListeners(app: App, deps: AppDeps): void {
  // `/onsim <sub> …`: src/commands/index.ts routes each subcommand.
  app.command(SLASH_COMMAND, onSlashCommand(deps));

  // Any list or card: page, share, open one row, download.
  app.action(ACTION_PAGE, onPageButton(deps));
  app.action(ACTION_SHARE, onShareButton(deps));
  app.action(ACTION_OPEN, onOpenButton(deps));
  app.action(ACTION_LIST_CSV, onCsvButton(deps));

  // The account card's buttons and the forms they open.
  app.action(ACTION_ACCOUNT_QR, onAccountQrButton(deps));
  app.action(ACTION_ACCOUNT_BUNDLE, onBundleButton(deps));
  app.view(BUNDLE_CALLBACK_ID, onBundleSubmit(deps));
  app.action(ACTION_ACCOUNT_SETTINGS, onSettingsButton(deps));
  app.view(SETTINGS_CALLBACK_ID, onSettingsSubmit(deps));
  app.action(ACTION_ACCOUNT_RECORDING, onRecordingButton(deps));
  app.view(RECORDING_CHOOSE_CALLBACK_ID, onRecordingChooseSubmit(deps));
  app.view(RECORDING_OFF_CALLBACK_ID, onRecordingOffSubmit(deps));
  app.view({ callback_id: RECORDING_OFF_CALLBACK_ID, type: 'view_closed' }, cancelOnClose(deps));
  app.action(ACTION_ACCOUNT_CEASE, onCeaseButton(deps));
  app.view(CEASE_CALLBACK_ID, onCeaseSubmit(deps));
  app.view({ callback_id: CEASE_CALLBACK_ID, type: 'view_closed' }, cancelOnClose(deps));

  // The eSIM card's buttons, and the refresh confirmation they lead to.
  app.action(ACTION_ESIM_SHOW_CODE, onShowCodeButton(deps));
  app.action(ACTION_ESIM_QR, onEsimQrButton(deps));
  app.action(ACTION_ESIM_REFRESH, onEsimRefreshButton(deps));
  app.action(ACTION_ESIM_REFRESH_CONFIRM, onEsimRefreshConfirm(deps));
  app.action(ACTION_ESIM_REFRESH_CANCEL, onEsimRefreshCancel(deps));

  // A posted QR image's "Delete QR".
  app.action(ACTION_QR_DELETE, onQrDeleteButton(deps));

  // Provisioning: the shortcut, the form's own controls, its submission.
  app.shortcut(PROVISION_SHORTCUT_ID, onProvisionShortcut(deps));
  app.action(PROVISION_FLAVOUR_ACTION, onProvisionFlavour(deps));
  app.action(PROVISION_RETRY_ACTION, onProvisionRetry(deps));
  app.view(PROVISION_CALLBACK_ID, onProvisionSubmit(deps));

  // The "Look up in ONSIM" message shortcut (the words of a message, as `/onsim find`).
  app.shortcut(LOOKUP_SHORTCUT_ID, onLookupShortcut(deps));

  // `/onsim group add`.
  app.view(GROUP_CALLBACK_ID, onGroupSubmit(deps));

  // The App Home tab and its buttons.
  app.event('app_home_opened', onHomeOpened(deps));
  app.action(ACTION_HOME_PROVISION, onHomeProvision(deps));
  app.action(ACTION_HOME_PORT_DETAILS, onHomePortDetails(deps));
  app.action(ACTION_HOME_LOOKUP, onHomeLookup(deps));
  app.view(HOME_LOOKUP_CALLBACK_ID, onHomeLookupSubmit(deps));
  app.action(ACTION_LOOKUP_OPEN, onHomeLookupOpen(deps));
}
