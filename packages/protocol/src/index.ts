export * from './channels.js';
export * from './error-codes.js';
export * from './events.js';
export * from './protocol-v2.js';
export * from './signatures.js';
export * from './socket-id.js';
