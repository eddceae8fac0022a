// Gap-free delivery on one node, against the memory history store: a jump in serials is filled from
// the store before the message that revealed it, a serial delivered already is dropped, and frames
// without a position pass as they are.

import { createMemoryHistoryStore, type SocketHandle, silentLogger } from '@sockudo/core';
import { describe, expect, it } from 'vitest';
import { deliveredFrame } from '../../src/history/history-publisher.js';
import { SequencedLocalAdapter } from '../../src/history/sequenced-local-adapter.js';
import { channelEventFrame } from '../../src/wire/frames.js';
import { v2Frame, withV2Fields } from '../../src/wire/v2-frames.js';

function socket(): SocketHandle & { got: number[] } {
  const got: number[] = [];
  return {
    id: '1.1',
    appId: 'app',
    userId: undefined,
    protocol: 2,
    got,
    send(frame) {
      const message = JSON.parse(frame.toString());
      got.push(message.serial ?? -Number(message.data));
    },
    close() {},
  };
}

async function setUp() {
  const history = createMemoryHistoryStore();
  const frames: string[] = [];
  for (let n = 1; n <= 6; n++) {
    const payload = withV2Fields(channelEventFrame('e', 'c', String(n)), { message_id: `"m${n}"` });
    const position = await history.append('app', 'c', { payload, eventName: 'e' });
    frames.push(deliveredFrame({ payload, ...position }));
  }
  const adapter = new SequencedLocalAdapter({ history, logger: silentLogger });
  const client = socket();
  adapter.addSocket(client);
  await adapter.join(client, 'c');
  return { adapter, client, frames };
}

describe('SequencedLocalAdapter', () => {
  it('fills a gap from the store before the message that revealed it, and drops what it delivered', async () => {
    const { adapter, client, frames } = await setUp();
    await adapter.broadcast('app', 'c', frames[0]!);
    await adapter.broadcast('app', 'c', frames[3]!); // 2 and 3 never arrived
    await adapter.broadcast('app', 'c', frames[1]!); // late: delivered already
    await adapter.broadcast('app', 'c', frames[4]!);
    expect(client.got).toEqual([1, 2, 3, 4, 5]);
    expect(v2Frame(frames[4]!)).toContain('"serial":5');
  });

  it('keeps later messages behind a fill in progress, and passes frames without a position', async () => {
    const { adapter, client, frames } = await setUp();
    await adapter.broadcast('app', 'c', frames[0]!);
    const filling = adapter.broadcast('app', 'c', frames[4]!);
    const after = adapter.broadcast('app', 'c', frames[5]!);
    await Promise.all([filling, after]);
    await adapter.broadcast('app', 'c', channelEventFrame('plain', 'c', '7'));
    expect(client.got).toEqual([1, 2, 3, 4, 5, 6, -7]);
  });
});
