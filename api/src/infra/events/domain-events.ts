/**
 * In-process domain events: how one module tells the others that something happened to what it
 * owns (a user deleted, a user blocked, a room closed) without knowing who listens. The owner
 * declares each event with `domainEvent<Payload>(name)` and exports it from its `index.ts`; other
 * modules subscribe in their factory. Only the composition root creates the bus.
 *
 * Handlers run one after another, in the order they subscribed, and `emit` resolves when all have
 * finished; a handler that throws stops the rest and the error reaches the emitter. So an event
 * emitted inside a transaction (its payload carries the transaction) lets every listener write its
 * own tables in that transaction, and a failing listener rolls all of it back.
 */
export interface DomainEvent<P> {
  readonly name: string;
  /** Carries the payload type only; never set. */
  readonly payload?: P;
}

export type DomainEventHandler<P> = (payload: P) => Promise<void> | void;

export function domainEvent<P>(name: string): DomainEvent<P> {
  return { name };
}

export class DomainEvents {
  private readonly handlers = new Map<DomainEvent<unknown>, DomainEventHandler<never>[]>();

  on<P>(event: DomainEvent<P>, handler: DomainEventHandler<P>): void {
    const list = this.handlers.get(event) ?? [];
    list.push(handler);
    this.handlers.set(event, list);
  }

  async emit<P>(event: DomainEvent<P>, payload: P): Promise<void> {
    for (const handler of (this.handlers.get(event) ?? []) as DomainEventHandler<P>[]) await handler(payload);
  }
}
