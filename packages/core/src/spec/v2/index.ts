export type { TransportHandlersV2, TransportV2 } from './transport.js';
