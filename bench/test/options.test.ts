import { describe, expect, it } from 'vitest';
import { BenchError } from '../src/bench-error.js';
import { parseBenchOptions } from '../src/options.js';

describe('parseBenchOptions', () => {
  it('applies per-scenario defaults and one port for both servers', () => {
    const f1 = parseBenchOptions(['--scenario', 'F1', '--port', '6101']);
    expect(f1).toMatchObject({ clients: 1000, inflight: 16, wsPort: 6101, httpPort: 6101, client: 'raw' });
    const c1 = parseBenchOptions(['--scenario', 'c1']);
    expect(c1).toMatchObject({ scenario: 'C1', clients: 10_000, inflight: 200, wsPort: 6001 });
  });

  it('lets --ws-port and --http-port differ from --port', () => {
    expect(parseBenchOptions(['--scenario', 'F2', '--ws-port', '7001', '--http-port', '7002'])).toMatchObject(
      {
        wsPort: 7001,
        httpPort: 7002,
      },
    );
  });

  it("takes H1's second node and P1's user count", () => {
    const h1 = parseBenchOptions(['--scenario', 'H1', '--port', '6001', '--port-b', '6002']);
    expect(h1).toMatchObject({ clients: 1000, wsPort: 6001, wsPortB: 6002, httpPort: 6001 });
    expect(parseBenchOptions(['--scenario', 'p1'])).toMatchObject({ scenario: 'P1', clients: 500 });
  });

  it('returns undefined for --help', () => {
    expect(parseBenchOptions(['--help'])).toBeUndefined();
  });

  it.each([
    [['--scenario', 'X9']],
    [['--scenario', 'F1', '--host', '10.0.0.5']],
    [['--scenario', 'F1', '--host', 'example.com']],
    [['--scenario', 'F1', '--clients', '0']],
    [['--scenario', 'F1', '--clients', '1.5']],
    [['--scenario', 'F1', '--unknown', '1']],
    [['--scenario', 'M1']],
    [['--scenario', 'H1']],
    [['--scenario', 'H1', '--port-b', '6002', '--clients', '1']],
  ])('rejects %j', (argv) => {
    expect(() => parseBenchOptions(argv)).toThrow(BenchError);
  });

  it('accepts loopback hosts only', () => {
    expect(parseBenchOptions(['--scenario', 'F1', '--host', '127.0.0.2'])?.host).toBe('127.0.0.2');
    expect(parseBenchOptions(['--scenario', 'F1', '--host', '[::1]'])?.host).toBe('::1');
  });
});
