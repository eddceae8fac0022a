import { describe, expect, it } from 'vitest';
import { DeliveryLedger } from '../src/delivery-ledger.js';

describe('DeliveryLedger', () => {
  it('is clean when every event arrives once at the subscriber of its channel', () => {
    const ledger = new DeliveryLedger(4);
    ledger.expect(0, 7);
    ledger.expect(1, 3);
    ledger.expect(2, 7);
    expect(ledger.caughtUp()).toBe(false);
    ledger.receive(1, 3);
    ledger.receive(0, 7);
    ledger.receive(2, 7);
    expect(ledger.caughtUp()).toBe(true);
    expect(ledger.summary()).toEqual({
      expected: 3,
      received: 3,
      lost: 0,
      duplicated: 0,
      misrouted: 0,
      unknown: 0,
    });
  });

  it('counts lost, duplicated, misrouted and unknown deliveries apart', () => {
    const ledger = new DeliveryLedger(2);
    for (let id = 0; id < 5; id++) ledger.expect(id, id % 2);
    ledger.receive(0, 0);
    ledger.receive(0, 0); // a duplicate
    ledger.receive(0, 0); // and another
    ledger.receive(1, 0); // event 1 went to channel 1, not 0
    ledger.receive(2, 0);
    ledger.receive(99, 1); // never sent
    ledger.receive(-1, 1); // no id in the frame
    // Event 1 only reached the wrong subscriber, 3 and 4 never arrived.
    expect(ledger.summary()).toEqual({
      expected: 5,
      received: 7,
      lost: 3,
      duplicated: 2,
      misrouted: 1,
      unknown: 2,
    });
    expect(ledger.caughtUp()).toBe(false);
  });

  it('does not take duplicates for the deliveries still missing', () => {
    const ledger = new DeliveryLedger();
    ledger.expect(0, 0);
    ledger.expect(1, 0);
    ledger.receive(0, 0);
    ledger.receive(0, 0);
    expect(ledger.caughtUp()).toBe(false);
    ledger.receive(1, 0);
    expect(ledger.caughtUp()).toBe(true);
  });

  it('grows past its capacity and still finds every lost event', () => {
    const ledger = new DeliveryLedger(1);
    for (let id = 0; id < 10_000; id++) ledger.expect(id, id % 100);
    for (let id = 0; id < 10_000; id += 2) ledger.receive(id, id % 100);
    expect(ledger.summary()).toMatchObject({ expected: 10_000, received: 5000, lost: 5000, duplicated: 0 });
  });

  it('keeps counting duplicates beyond 255 deliveries of one event', () => {
    const ledger = new DeliveryLedger(1);
    ledger.expect(0, 0);
    for (let n = 0; n < 300; n++) ledger.receive(0, 0);
    expect(ledger.summary()).toMatchObject({ lost: 0, duplicated: 299 });
  });

  it('refuses an id sent twice or a negative one', () => {
    const ledger = new DeliveryLedger();
    ledger.expect(0, 0);
    expect(() => ledger.expect(0, 1)).toThrow(RangeError);
    expect(() => ledger.expect(-1, 0)).toThrow(RangeError);
  });
});
