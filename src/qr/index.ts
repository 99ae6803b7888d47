export { fetchQrPng, isPng, PNG_SIGNATURE, QrImageError, renderQrLocally } from './image.js';
export { openDm, type PostedQr, type PostQrInput, postQr, slackErrorCode } from './post.js';
