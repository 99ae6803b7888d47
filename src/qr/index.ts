export { fetchQrPng, isPng, PNG_SIGNATURE, QrImageError, renderQrLocally } from './image.js';
export { type PostedQr, type PostQrInput, postQr } from './post.js';
