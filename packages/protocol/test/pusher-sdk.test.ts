// Cross-checks against the official server SDK (pusher-http-node), which real backends use.
import Pusher from 'pusher';
import { describe, expect, it } from 'vitest';
import {
  encryptedChannelSharedSecret,
  signChannelAuth,
  signUserAuth,
  signWebhook,
  verifyChannelAuth,
  verifyHttpRequest,
  verifyUserAuth,
  verifyWebhook,
} from '../src/index.js';

const KEY = '278d425bdf160c739803';
const SECRET = '7ad3773142a6692b25b8';
const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

const pusher = new Pusher({
  appId: '3',
  key: KEY,
  secret: SECRET,
  host: 'localhost',
  port: '6001',
  encryptionMasterKeyBase64: MASTER_KEY,
});

describe('agreement with the pusher SDK', () => {
  it('private channel auth', () => {
    const { auth } = pusher.authorizeChannel('1234.1234', 'private-foobar');
    expect(auth).toBe(signChannelAuth(KEY, SECRET, '1234.1234', 'private-foobar'));
    expect(verifyChannelAuth(KEY, SECRET, '1234.1234', 'private-foobar', auth)).toBe(true);
  });

  it('presence channel auth', () => {
    const result = pusher.authorizeChannel('1.2', 'presence-room', {
      user_id: 'u1',
      user_info: { name: 'Ann' },
    });
    expect(result.channel_data).toBeDefined();
    expect(verifyChannelAuth(KEY, SECRET, '1.2', 'presence-room', result.auth, result.channel_data)).toBe(
      true,
    );
  });

  it('user auth', () => {
    const result = pusher.authenticateUser('1.2', { id: 'u1', user_info: { name: 'Ann' } });
    expect(result.auth).toBe(signUserAuth(KEY, SECRET, '1.2', result.user_data));
    expect(verifyUserAuth(KEY, SECRET, '1.2', result.user_data, result.auth)).toBe(true);
  });

  it('encrypted channel shared secret', () => {
    const result = pusher.authorizeChannel('1.2', 'private-encrypted-vault');
    expect(result.shared_secret).toBe(encryptedChannelSharedSecret('private-encrypted-vault', MASTER_KEY));
    expect(verifyChannelAuth(KEY, SECRET, '1.2', 'private-encrypted-vault', result.auth)).toBe(true);
    expect(encryptedChannelSharedSecret('private-encrypted-other', MASTER_KEY)).not.toBe(
      result.shared_secret,
    );
  });

  it('signed HTTP requests with and without a body', () => {
    const body = JSON.stringify({ name: 'e', channels: ['a', 'b'], data: '{"x":"y z&"}' });
    const cases = [
      { method: 'POST', path: '/apps/3/events', body, params: undefined },
      {
        method: 'GET',
        path: '/apps/3/channels',
        body: undefined,
        params: { filter_by_prefix: 'presence-', info: 'user_count,subscription_count' },
      },
    ];
    for (const request of cases) {
      const signed = pusher.createSignedQueryString(request);
      const query = Object.fromEntries(new URLSearchParams(signed));
      expect(
        verifyHttpRequest({
          method: request.method,
          path: request.path,
          query,
          rawBody: request.body ?? '',
          key: KEY,
          secret: SECRET,
        }),
      ).toEqual({ ok: true });
    }
  });

  it('webhook signatures', () => {
    const rawBody = JSON.stringify({
      time_ms: Date.now(),
      events: [{ name: 'channel_vacated', channel: 'x' }],
    });
    const signature = signWebhook(SECRET, rawBody);
    // The SDK treats a webhook as invalid unless it is sent as application/json.
    const webhook = pusher.webhook({
      headers: { 'content-type': 'application/json', 'x-pusher-key': KEY, 'x-pusher-signature': signature },
      rawBody,
    });
    expect(webhook.isValid()).toBe(true);
    expect(verifyWebhook(SECRET, rawBody, signature)).toBe(true);
  });
});
