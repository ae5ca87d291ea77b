import { SubscriberOverflowError, type PubSub, type PubSubOptions } from './pubsub.port';

/** Two API instances sharing one backend. */
export interface PubSubNodes {
  a: PubSub;
  b: PubSub;
  /** Disposes both nodes and releases whatever the factory opened. */
  cleanup(): Promise<void>;
}

/** Per-node options; the factory adds its own isolation prefix in front of `topicPrefix`. */
export interface PubSubNodeOptions {
  a?: PubSubOptions;
  b?: PubSubOptions;
}

interface Payload {
  n: number;
}

/** Reads `count` payloads, failing after `timeoutMs` (milliseconds) instead of hanging the suite. */
async function take<T>(iterator: AsyncIterator<T>, count: number, timeoutMs = 5000): Promise<T[]> {
  const received: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`received ${received.length} of ${count} payloads within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    while (received.length < count) {
      const result = await Promise.race([iterator.next(), deadline]);
      if (result.done) throw new Error(`iterator ended after ${received.length} of ${count} payloads`);
      received.push(result.value);
    }
    return received;
  } finally {
    clearTimeout(timer);
  }
}

const range = (count: number): Payload[] => Array.from({ length: count }, (_, n) => ({ n }));

/**
 * The behaviour every PubSub adapter must show. `makeNodes` is called once per test; every call must
 * give a fresh pair of nodes whose topics do not reach other pairs.
 */
export function pubSubContract(name: string, makeNodes: (options?: PubSubNodeOptions) => Promise<PubSubNodes>): void {
  describe(`PubSub contract: ${name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    const nodes = async (options?: PubSubNodeOptions): Promise<PubSubNodes> => {
      const created = await makeNodes(options);
      cleanups.push(() => created.cleanup());
      return created;
    };

    afterEach(async () => {
      await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
    });

    describe('delivery', () => {
      it('delivers a payload published on one instance to a subscriber on another', async () => {
        const { a, b } = await nodes();
        const inbox = await b.subscribe<Payload>('room:1');
        await a.publish('room:1', { n: 1 });
        expect(await take(inbox, 1)).toEqual([{ n: 1 }]);
      });

      it('delivers to a subscriber on the publishing instance too', async () => {
        const { a } = await nodes();
        const inbox = await a.subscribe<Payload>('room:1');
        await a.publish('room:1', { n: 1 });
        expect(await take(inbox, 1)).toEqual([{ n: 1 }]);
      });

      it('preserves the publish order of 500 payloads from one publisher', async () => {
        const { a, b } = await nodes();
        const inbox = await b.subscribe<Payload>('room:1');
        await Promise.all(range(500).map((payload) => a.publish('room:1', payload)));
        expect(await take(inbox, 500)).toEqual(range(500));
      });

      it('gives every subscriber of a topic every payload', async () => {
        const { a, b } = await nodes();
        const inboxes = [
          await b.subscribe<Payload>('room:1'),
          await b.subscribe<Payload>('room:1'),
          await a.subscribe<Payload>('room:1'),
        ];
        for (const payload of range(3)) await a.publish('room:1', payload);
        for (const inbox of inboxes) expect(await take(inbox, 3)).toEqual(range(3));
      });

      it('resolves publish when nobody listens to the topic', async () => {
        const { a } = await nodes();
        await expect(a.publish('room:nobody', { n: 1 })).resolves.toBeUndefined();
      });
    });

    describe('isolation', () => {
      it('does not deliver payloads of other topics', async () => {
        const { a, b } = await nodes();
        const inbox = await b.subscribe<Payload>('room:1');
        const other = await b.subscribe<Payload>('room:2');
        await a.publish('room:2', { n: 2 });
        expect(await take(other, 1)).toEqual([{ n: 2 }]);
        await a.publish('room:1', { n: 1 });
        expect(await take(inbox, 1)).toEqual([{ n: 1 }]);
      });

      it('does not match topics as patterns or prefixes', async () => {
        const { a, b } = await nodes();
        const inbox = await b.subscribe<Payload>('room:*');
        await a.publish('room:1', { n: 1 });
        await a.publish('room:*', { n: 2 });
        expect(await take(inbox, 1)).toEqual([{ n: 2 }]);
      });

      it('keeps instances with different topic prefixes apart on one backend', async () => {
        const { a, b } = await nodes({ a: { topicPrefix: 'green:' }, b: { topicPrefix: 'blue:' } });
        const blueInbox = await b.subscribe<Payload>('room:1');
        const greenInbox = await a.subscribe<Payload>('room:1');
        await a.publish('room:1', { n: 1 });
        expect(await take(greenInbox, 1)).toEqual([{ n: 1 }]);
        await b.publish('room:1', { n: 2 });
        expect(await take(blueInbox, 1)).toEqual([{ n: 2 }]);
      });
    });

    describe('payloads', () => {
      it('delivers the JSON round trip of the payload: dates as ISO strings, undefined fields dropped', async () => {
        const { a, b } = await nodes();
        const inbox = await b.subscribe<object>('room:1');
        const sentAt = new Date('2024-05-01T12:00:00.000Z');
        await a.publish('room:1', { sentAt, author: { id: '42' }, skipped: undefined });
        expect(await take(inbox, 1)).toEqual([{ sentAt: '2024-05-01T12:00:00.000Z', author: { id: '42' } }]);
      });

      it('shares no reference with the published object or between subscribers', async () => {
        const { a } = await nodes();
        const first = await a.subscribe<{ author: { id: string } }>('room:1');
        const second = await a.subscribe<{ author: { id: string } }>('room:1');
        const payload = { author: { id: '42' } };
        await a.publish('room:1', payload);
        payload.author.id = 'changed after publish';
        const [[one], [two]] = await Promise.all([take(first, 1), take(second, 1)]);
        expect(one).toEqual({ author: { id: '42' } });
        expect(one?.author).not.toBe(payload.author);
        expect(one).not.toBe(two);
      });
    });

    describe('unsubscribing', () => {
      it('ends the iterator on return(), idempotently, and buffers nothing published later', async () => {
        const { a, b } = await nodes();
        const leaving = await b.subscribe<Payload>('room:1');
        const staying = await b.subscribe<Payload>('room:1');
        expect(await leaving.return?.()).toEqual({ done: true, value: undefined });
        expect(await leaving.return?.()).toEqual({ done: true, value: undefined });
        await a.publish('room:1', { n: 1 });
        expect(await take(staying, 1)).toEqual([{ n: 1 }]);
        expect(await leaving.next()).toEqual({ done: true, value: undefined });
      });

      it('resolves a pending next() with done when return() is called', async () => {
        const { b } = await nodes();
        const inbox = await b.subscribe<Payload>('room:1');
        const pending = inbox.next();
        await inbox.return?.();
        expect(await pending).toEqual({ done: true, value: undefined });
      });

      it('unsubscribes when a for-await loop breaks', async () => {
        const { a, b } = await nodes();
        const inbox = await b.subscribe<Payload>('room:1');
        await a.publish('room:1', { n: 1 });
        for await (const payload of inbox) {
          expect(payload).toEqual({ n: 1 });
          break;
        }
        await a.publish('room:1', { n: 2 });
        expect(await inbox.next()).toEqual({ done: true, value: undefined });
      });

      it('still delivers to a new subscriber after every earlier one left the topic', async () => {
        const { a, b } = await nodes();
        await (await b.subscribe<Payload>('room:1')).return?.();
        const inbox = await b.subscribe<Payload>('room:1');
        await a.publish('room:1', { n: 1 });
        expect(await take(inbox, 1)).toEqual([{ n: 1 }]);
      });
    });

    describe('slow consumers', () => {
      it('ends a consumer that never reads with SubscriberOverflowError once more than maxBuffered payloads are queued', async () => {
        const { a, b } = await nodes({ b: { maxBuffered: 5 } });
        const idle = await b.subscribe<Payload>('room:1');
        // Subscribed on the same instance, the reader has seen payload 6 only once `idle` was offered it too.
        const reader = await b.subscribe<Payload>('room:1');
        const read = take(reader, 6);
        for (const payload of range(6)) await a.publish('room:1', payload);
        expect(await read).toEqual(range(6));

        const error = await idle.next().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SubscriberOverflowError);
        expect(error).toMatchObject({ topic: 'room:1', limit: 5 });
        expect(await idle.next()).toEqual({ done: true, value: undefined });
      });

      it('keeps a consumer that stays within maxBuffered', async () => {
        const { a, b } = await nodes({ b: { maxBuffered: 5 } });
        const inbox = await b.subscribe<Payload>('room:1');
        for (const payload of range(5)) await a.publish('room:1', payload);
        expect(await take(inbox, 5)).toEqual(range(5));
        await a.publish('room:1', { n: 5 });
        expect(await take(inbox, 1)).toEqual([{ n: 5 }]);
      });
    });

    describe('dispose', () => {
      it('ends every open iterator, including a pending next()', async () => {
        const { b } = await nodes();
        const first = await b.subscribe<Payload>('room:1');
        const second = await b.subscribe<Payload>('room:2');
        const pending = first.next();
        await b.dispose();
        expect(await pending).toEqual({ done: true, value: undefined });
        expect(await second.next()).toEqual({ done: true, value: undefined });
      });

      it('is idempotent and refuses new subscriptions and publishes afterwards', async () => {
        const { a } = await nodes();
        await a.dispose();
        await a.dispose();
        await expect(a.subscribe('room:1')).rejects.toThrow('disposed');
        await expect(a.publish('room:1', { n: 1 })).rejects.toThrow('disposed');
      });

      it('leaves the other instance working', async () => {
        const { a, b } = await nodes();
        const inbox = await b.subscribe<Payload>('room:1');
        await a.dispose();
        await b.publish('room:1', { n: 1 });
        expect(await take(inbox, 1)).toEqual([{ n: 1 }]);
      });
    });
  });
}
