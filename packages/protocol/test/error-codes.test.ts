import { describe, expect, it } from 'vitest';
import { describeErrorCode, ErrorCode, reconnectStrategy } from '../src/index.js';

describe('reconnectStrategy', () => {
  it.each([
    [4000, 'none'],
    [4001, 'none'],
    [4009, 'none'],
    [4099, 'none'],
    [4100, 'backoff'],
    [4199, 'backoff'],
    [4200, 'immediately'],
    [4201, 'immediately'],
    [4202, 'immediately'],
    [4299, 'immediately'],
    [4300, 'other'],
    [4301, 'other'],
    [4399, 'other'],
    [1000, 'other'],
    [1006, 'other'],
    [3999, 'other'],
    [4400, 'other'],
    [-1, 'other'],
  ] as const)('%i → %s', (code, strategy) => {
    expect(reconnectStrategy(code)).toBe(strategy);
  });

  it('puts every named code in the documented class', () => {
    expect(reconnectStrategy(ErrorCode.AppNotFound)).toBe('none');
    expect(reconnectStrategy(ErrorCode.OverCapacity)).toBe('backoff');
    expect(reconnectStrategy(ErrorCode.PongNotReceived)).toBe('immediately');
    expect(reconnectStrategy(ErrorCode.ClientEventRejected)).toBe('other');
  });
});

describe('describeErrorCode', () => {
  it('gives the documented meaning', () => {
    expect(describeErrorCode(4001)).toBe('Application does not exist');
    expect(describeErrorCode(4003)).toBe('Application disabled');
    expect(describeErrorCode(4201)).toBe('Pong reply not received');
    expect(describeErrorCode(4301)).toBe('Client event rejected due to rate limit');
  });

  it('describes every named code', () => {
    for (const code of Object.values(ErrorCode)) {
      expect(describeErrorCode(code)).not.toMatch(/^(Unknown|Error:)/);
    }
  });

  it('falls back to the range for unnamed codes', () => {
    expect(describeErrorCode(4050)).toMatch(/do not reconnect/);
    expect(describeErrorCode(4150)).toMatch(/backing off/);
    expect(describeErrorCode(4250)).toMatch(/immediately/);
    expect(describeErrorCode(1000)).toBe('Unknown error');
  });
});

describe('ErrorCode', () => {
  it('has the protocol values', () => {
    expect(ErrorCode).toEqual({
      SslOnly: 4000,
      AppNotFound: 4001,
      AppDisabled: 4003,
      OverConnectionQuota: 4004,
      PathNotFound: 4005,
      InvalidVersionFormat: 4006,
      UnsupportedProtocolVersion: 4007,
      NoProtocolVersion: 4008,
      Unauthorized: 4009,
      OverCapacity: 4100,
      ReconnectImmediately: 4200,
      PongNotReceived: 4201,
      ClosedAfterInactivity: 4202,
      GenericError: 4300,
      ClientEventRejected: 4301,
      WatchlistLimitExceeded: 4302,
    });
  });
});
