// A socket's subscriptions: channel → the presence user id it joined with (undefined elsewhere). Most
// sockets hold one channel (a `private-user-*`, a page's topic), so the first lives in two fields and
// a Map is made only for a second: a Map with one entry costs ~220 heap bytes, multiplied by every
// connection.

export class Subscriptions {
  private firstChannel: string | undefined = undefined;
  private firstUserId: string | undefined = undefined;
  private more: Map<string, string | undefined> | undefined = undefined;

  get size(): number {
    return (this.firstChannel === undefined ? 0 : 1) + (this.more?.size ?? 0);
  }

  has(channel: string): boolean {
    return this.firstChannel === channel || (this.more?.has(channel) ?? false);
  }

  /** The presence user id `channel` was joined with. */
  get(channel: string): string | undefined {
    return this.firstChannel === channel ? this.firstUserId : this.more?.get(channel);
  }

  set(channel: string, userId: string | undefined): void {
    if (this.firstChannel === channel || (this.firstChannel === undefined && !this.more?.has(channel))) {
      this.firstChannel = channel;
      this.firstUserId = userId;
      return;
    }
    this.more ??= new Map();
    this.more.set(channel, userId);
  }

  delete(channel: string): boolean {
    if (this.firstChannel === channel) {
      this.firstChannel = undefined;
      this.firstUserId = undefined;
      return true;
    }
    const deleted = this.more?.delete(channel) ?? false;
    if (this.more?.size === 0) this.more = undefined;
    return deleted;
  }

  /** The channels, in no promised order. */
  channels(): string[] {
    const list = this.more === undefined ? [] : [...this.more.keys()];
    if (this.firstChannel !== undefined) list.unshift(this.firstChannel);
    return list;
  }
}
