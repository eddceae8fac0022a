// Tag filtering across two `sockudo start` nodes over the redis adapter (both routings), configured
// with config.json's `tag_filtering`: events published with tags on one node reach the V2 sockets of
// the other only when their filters match, so the receiving node filters with the tags the frame
// carried across; a pusher-js tab gets every event, without tags.

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { redisBroker } from './brokers.js';
import { startCluster, testApp } from './nodes.js';
import { Scope } from './scope.js';
import { is, Tabs } from './tabs.js';
import { V2Socket } from './v2-socket.js';
import { uid } from './waits.js';

const FILTERS: Array<{ filter: unknown; wants: string[] }> = [
  { filter: { key: 'region', cmp: 'eq', val: 'eu' }, wants: ['eu-low', 'eu-high', 'done'] },
  { filter: { key: 'priority', cmp: 'gt', val: 5 }, wants: ['eu-high', 'us-high', 'done'] },
  {
    filter: {
      op: 'or',
      nodes: [
        {
          op: 'and',
          nodes: [
            { key: 'region', cmp: 'neq', val: 'eu' },
            { key: 'priority', cmp: 'ex' },
          ],
        },
        { key: 'priority', cmp: 'eq', val: 10 },
      ],
    },
    wants: ['us-high', 'done'],
  },
  { filter: { events: ['untagged', 'done'], tags: { key: 'region', cmp: 'nex' } }, wants: ['untagged'] },
];

describe('tag filtering over two nodes', () => {
  const broker = redisBroker();
  const scope = new Scope();
  const tabs = new Tabs();
  const sockets: V2Socket[] = [];
  afterEach(() => {
    tabs.closeAll();
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(() => scope.close(), 30_000);

  for (const routing of ['interest', 'broadcast'] as const) {
    it(`filters on the receiving node by the tags the frame carried (routing: ${routing})`, async () => {
      await broker.require();
      const app = testApp();
      const nodes = await startCluster(
        scope,
        2,
        { ...broker.adapter(`sockudo_test_${uid()}`), routing },
        app,
        {
          tag_filtering: { enabled: true },
        },
      );
      const channel = `feed-${uid()}`;
      // Three filtered sockets on the node that does not publish, one on the node that does.
      const subscribers: V2Socket[] = [];
      for (const [i, { filter }] of FILTERS.entries()) {
        const socket = await V2Socket.open(nodes[i === 3 ? 0 : 1]!);
        sockets.push(socket);
        await socket.subscribe(channel, { filter });
        subscribers.push(socket);
      }
      const tab = await tabs.add('pusher-tab', nodes[1]!);
      await tab.subscribe(channel);

      const backend = nodes[0]!.backend;
      const publish = (name: string, tags?: Record<string, string>) =>
        backend.trigger(channel, name, { name }, tags && ({ tags } as never));
      await publish('eu-low', { region: 'eu', priority: '1' });
      await backend.triggerBatch([
        {
          channel,
          name: 'eu-high',
          data: { name: 'eu-high' },
          tags: { priority: '9', region: 'eu' },
        } as never,
        {
          channel,
          name: 'us-high',
          data: { name: 'us-high' },
          tags: { region: 'us', priority: '7' },
        } as never,
      ]);
      await publish('untagged');
      await publish('done', { region: 'eu', priority: '10' });

      for (const [i, socket] of subscribers.entries()) {
        const last = FILTERS[i]!.wants.at(-1)!;
        await socket.waitFor((f) => f.event === last, `${last} on subscriber ${i}`);
      }
      await tab.waitFor(is('done', channel), 'the last event on the Pusher tab');
      // A barrier for the untagged-only subscriber, which never gets `done`: a later event it wants.
      await publish('untagged');
      const untaggedOnly = subscribers[3]!;
      await untaggedOnly.waitFor(() => untaggedOnly.events(channel).length === 2, 'the second untagged');

      expect(subscribers[0]!.events(channel)).toEqual(FILTERS[0]!.wants);
      expect(subscribers[1]!.events(channel)).toEqual(FILTERS[1]!.wants);
      expect(subscribers[2]!.events(channel)).toEqual(FILTERS[2]!.wants);
      expect(subscribers[3]!.events(channel)).toEqual(['untagged', 'untagged']);
      const high = subscribers[1]!.frames.find((f) => f.event === 'eu-high')!;
      // Sorted keys, as Rust Sockudo's BTreeMap writes them, whatever order they were published in.
      expect(high.raw).toBe(
        `{"event":"eu-high","channel":"${channel}","data":"{\\"name\\":\\"eu-high\\"}","tags":{"priority":"9","region":"eu"}}`,
      );
      await tab.waitFor(
        () => tab.messages.filter((m) => m.event === 'untagged').length === 2,
        'the second untagged',
      );
      expect(
        tab.messages
          .filter((m) => m.channel === channel && !m.event.startsWith('pusher'))
          .map((m) => m.event),
      ).toEqual(['eu-low', 'eu-high', 'us-high', 'untagged', 'done', 'untagged']);
      expect(JSON.stringify(tab.messages)).not.toContain('priority');
    }, 60_000);
  }
});
