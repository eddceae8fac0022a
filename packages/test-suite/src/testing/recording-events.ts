// AdapterEvents that only remember what they were told, so a test can assert "exactly once on every
// other node" and "sendWebhooks on exactly one survivor".

import type { AdapterEvents } from '@sockudo/core';

/** One {@link AdapterEvents} call as recorded by {@link RecordingEvents}. */
export type RecordedEvent =
  | { type: 'userOnline'; appId: string; userId: string }
  | { type: 'userOffline'; appId: string; userId: string }
  | { type: 'membersExpired'; appId: string; channel: string; userIds: string[]; sendWebhooks: boolean }
  | { type: 'channelsVacated'; appId: string; channels: string[]; sendWebhooks: boolean };

/** An {@link AdapterEvents} that records every call, in order. */
export class RecordingEvents implements AdapterEvents {
  /** Every call so far, in order. */
  readonly calls: RecordedEvent[] = [];

  /** Records `{ type: 'userOnline', appId, userId }`. */
  userOnline(appId: string, userId: string): void {
    this.calls.push({ type: 'userOnline', appId, userId });
  }

  /** Records `{ type: 'userOffline', appId, userId }`. */
  userOffline(appId: string, userId: string): void {
    this.calls.push({ type: 'userOffline', appId, userId });
  }

  /** Records `{ type: 'membersExpired', ... }` with a copy of `userIds`. */
  membersExpired(appId: string, channel: string, userIds: string[], sendWebhooks: boolean): void {
    this.calls.push({ type: 'membersExpired', appId, channel, userIds: [...userIds], sendWebhooks });
  }

  /** Records `{ type: 'channelsVacated', ... }` with a copy of `channels`. */
  channelsVacated(appId: string, channels: string[], sendWebhooks: boolean): void {
    this.calls.push({ type: 'channelsVacated', appId, channels: [...channels], sendWebhooks });
  }

  /** The recorded calls of one kind for `appId`. */
  of<K extends RecordedEvent['type']>(type: K, appId: string): Array<Extract<RecordedEvent, { type: K }>> {
    return this.calls.filter(
      (call): call is Extract<RecordedEvent, { type: K }> => call.type === type && call.appId === appId,
    );
  }
}
