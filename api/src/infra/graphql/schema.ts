import { GraphQLDateTime } from 'graphql-scalars';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type AuthChecker, type ClassType, type PubSub } from 'type-graphql';
import type { Context } from './context';
import { UnauthenticatedError } from './errors';

/**
 * type-graphql insists on a PubSub, but our subscriptions never use `topics`: each one supplies
 * `subscribe`, which calls a service on the pub/sub port (per-user, per-room topics).
 */
const topicsUnsupported: PubSub = {
  publish() {
    throw new Error('Publish through the PubSub port, not type-graphql');
  },
  subscribe() {
    throw new Error('Use `subscribe` in @Subscription; `topics` are not supported');
  },
};

const authChecker: AuthChecker<Context> = ({ context }) => {
  if (!context.auth.user) throw new UnauthenticatedError(context.auth.error);
  return true;
};

/**
 * Builds the executable schema from every resolver class; `instances` are their constructed
 * instances (none when only the schema's shape is needed, e.g. to print it).
 */
export function createSchema(resolverClasses: readonly ClassType[], instances: object[] = []): Promise<GraphQLSchema> {
  const [first, ...rest] = resolverClasses;
  if (!first) throw new Error('createSchema needs at least one resolver class');
  const byClass = new Map<unknown, object>(instances.map((i) => [i.constructor, i]));
  return buildSchema({
    resolvers: [first, ...rest],
    container: { get: (cls) => byClass.get(cls) ?? new (cls as new () => object)() },
    authChecker,
    validate: { forbidUnknownValues: false },
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    pubSub: topicsUnsupported,
  });
}
