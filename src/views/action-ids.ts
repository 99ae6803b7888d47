// Buttons that one module renders and another handles (the account and eSIM cards offer the
// next sensible actions). Each button's `value` is the MPN (E.164 digits) it acts on, unless noted.

export const ACTION_ACCOUNT_QR = 'account_qr';
export const ACTION_ACCOUNT_BUNDLE = 'account_bundle';
export const ACTION_ACCOUNT_SETTINGS = 'account_settings';
export const ACTION_ACCOUNT_RECORDING = 'account_recording';
export const ACTION_ACCOUNT_CEASE = 'account_cease';
/** value: the eSIM reference as `mpn:<digits>`, `iccid:<19 digits>` or `i_account:<id>`. */
export const ACTION_ESIM_SHOW_CODE = 'esim_show_code';
/** value: as ACTION_ESIM_SHOW_CODE. */
export const ACTION_ESIM_REFRESH = 'esim_refresh';
/** value: as ACTION_ESIM_SHOW_CODE. */
export const ACTION_ESIM_QR = 'esim_qr';
