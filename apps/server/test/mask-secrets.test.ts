import { describe, expect, it } from 'vitest';
import { loadConfig, MASK, maskSecrets, printableConfig } from '../src/index.js';
import { tempDir } from './helpers.js';

describe('maskSecrets', () => {
  it('hides secrets, passwords, tokens and passphrases at any depth', () => {
    const masked = maskSecrets({
      apps: [{ id: 'a', key: 'public-key', secret: 'shh' }],
      adapter: { nats: { password: 'p', token: 't', username: 'u' }, kafka: { sasl_password: 'x' } },
      ssl: { passphrase: 'pp', cert_path: '/etc/cert.pem' },
      headers: { Authorization: 'Bearer abc' },
    });
    expect(masked).toEqual({
      apps: [{ id: 'a', key: 'public-key', secret: MASK }],
      adapter: { nats: { password: MASK, token: MASK, username: 'u' }, kafka: { sasl_password: MASK } },
      ssl: { passphrase: MASK, cert_path: '/etc/cert.pem' },
      headers: { Authorization: MASK },
    });
  });

  it('hides passwords inside URLs, keeps empty values and switches visible, and does not mutate', () => {
    const input = { url: 'redis://user:hunter2@cache:6379/0', passphrase: '', cors: { credentials: true } };
    expect(maskSecrets(input)).toEqual({
      url: `redis://user:${MASK}@cache:6379/0`,
      passphrase: '',
      cors: { credentials: true },
    });
    expect(input.url).toContain('hunter2');
  });

  it('hides the app secrets of a printed configuration', () => {
    const { config } = loadConfig({
      cwd: tempDir(),
      env: {
        SOCKUDO_DEFAULT_APP_ID: 'a',
        SOCKUDO_DEFAULT_APP_KEY: 'k',
        SOCKUDO_DEFAULT_APP_SECRET: 'super-secret',
      },
    });
    const printed = JSON.stringify(printableConfig(config));
    expect(printed).not.toContain('super-secret');
    expect(printed).toContain('"secret":"********"');
    // Apps print in config.json's snake_case form.
    expect(printed).toContain('"max_client_events_per_second":10');
  });
});
