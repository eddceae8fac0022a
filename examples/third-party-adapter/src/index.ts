export { channelName, DEFAULT_PREFIX, MAX_CHANNEL_BYTES } from './notify-channel.js';
export { MAX_NOTIFY_BYTES } from './notify-payloads.js';
export { createPgNotifyTransport, type PgNotifyTransportOptions } from './pg-notify-transport.js';
export { type PgNotifyDriverOptions, sockudoDriver } from './sockudo-driver.js';
