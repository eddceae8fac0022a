import { recordingLogger } from '@sockudo/test-helpers/recording-logger';
import { describe, expect, it } from 'vitest';
import { rabbitMqDriverOptions, sockudoDriver } from '../../src/index.js';

const context = {
  logger: recordingLogger(),
  configKey: 'adapter.driver',
  optionsKey: 'adapter.options',
  baseDirectory: '.',
  serverVersion: '0.0.0',
};

describe('sockudoDriver', () => {
  it('is an adapter driver of module specVersion 1', () => {
    expect([sockudoDriver.specVersion, sockudoDriver.kind]).toEqual([1, 'adapter']);
  });

  it('maps Rust Sockudo option names, numbers given as strings included, and names a bad one', () => {
    expect(
      rabbitMqDriverOptions({
        url: 'amqp://u:p@host:5672/vh',
        prefix: 'mine',
        request_timeout_ms: 7000,
        connection_timeout_ms: '2500',
        max_in_flight_publishes: 10,
        max_waiting_publishes: 0,
        publish_timeout_ms: 100,
        health_check_timeout_ms: 200,
      }),
    ).toEqual({
      url: 'amqp://u:p@host:5672/vh',
      prefix: 'mine',
      requestTimeoutMs: 7000,
      connectionTimeoutMs: 2500,
      maxInFlightPublishes: 10,
      maxWaitingPublishes: 0,
      publishTimeoutMs: 100,
      healthCheckTimeoutMs: 200,
    });
    expect(() => rabbitMqDriverOptions({ url: 5 })).toThrow(
      /adapter\.options\.url: expected a non-empty string/,
    );
    expect(() => rabbitMqDriverOptions({ connection_timeout_ms: 'soon' })).toThrow(
      /adapter\.options\.connection_timeout_ms: expected a whole number, got "soon"/,
    );
  });

  it('warns about an unknown option and creates a transport without connecting', async () => {
    const logger = recordingLogger();
    const transport = await sockudoDriver.create({ prefx: 'typo' }, { ...context, logger });
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        message: 'adapter.options.prefx: not an option of @sockudo/adapter-rabbitmq, ignored',
      },
    ]);
    // The routed transport itself: the server loads TransportV2s from packages.
    expect(transport.specVersion).toBe(2);
    await expect(transport.checkHealth()).rejects.toThrow(/not started/);
    await transport.close();
  });

  it('refuses a prefix or URL the transport cannot use at create time', () => {
    expect(() => sockudoDriver.create({ prefix: 'amq.x' }, context)).toThrow(/prefix/);
    expect(() => sockudoDriver.create({ url: 'nats://x' }, context)).toThrow(/amqp/);
  });
});
