export { DEFAULT_NATS_PREFIX, type NatsSubjects, natsSubjects } from './nats-subjects.js';
export { createNatsTransport, type NatsTransportOptions } from './nats-transport.js';
