// Rust Sockudo's prefix translation (`ProtocolVersion::rewrite_event_prefix` and
// `parse_any_protocol_event`): the cases of its own tests.

import { describe, expect, it } from 'vitest';
import { canonicalEventName, isProtocolEvent, PROTOCOL_V2, PusherEvent, v2EventName } from '../src/index.js';

describe('protocol V2 event names', () => {
  it('rewrites pusher: and pusher_internal: for V2 sockets, and nothing else', () => {
    expect(PROTOCOL_V2).toBe(2);
    expect(v2EventName('pusher:subscribe')).toBe('sockudo:subscribe');
    expect(v2EventName('pusher_internal:member_added')).toBe('sockudo_internal:member_added');
    expect(v2EventName('client-my-event')).toBe('client-my-event');
    expect(v2EventName('order.created')).toBe('order.created');
    expect(v2EventName('sockudo:already')).toBe('sockudo:already');
    // A name that only starts like a prefix is an application event.
    expect(v2EventName('pusherx:y')).toBe('pusherx:y');
  });

  it('reads either prefix as the Pusher name', () => {
    expect(canonicalEventName('sockudo:subscribe')).toBe(PusherEvent.Subscribe);
    expect(canonicalEventName('pusher:subscribe')).toBe(PusherEvent.Subscribe);
    expect(canonicalEventName('sockudo_internal:member_added')).toBe(PusherEvent.MemberAdded);
    expect(canonicalEventName('client-x')).toBe('client-x');
    for (const name of Object.values(PusherEvent)) {
      expect(canonicalEventName(v2EventName(name)), name).toBe(name);
    }
  });

  it('tells protocol events from application events', () => {
    for (const name of ['pusher:ping', 'pusher_internal:x', 'sockudo:ping', 'sockudo_internal:x']) {
      expect(isProtocolEvent(name), name).toBe(true);
    }
    for (const name of ['client-x', 'order.created', 'sockudo', 'pusher']) {
      expect(isProtocolEvent(name), name).toBe(false);
    }
  });
});
