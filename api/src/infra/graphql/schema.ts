import { GraphQLDateTime } from 'graphql-scalars';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type AuthChecker, type NonEmptyArray, type PubSub } from 'type-graphql';
import { AccountResolver } from '../../modules/auth/account.resolver';
import { AuthResolver } from '../../modules/auth/auth.resolver';
import { ChatResolver } from '../../modules/chat/chat.resolver';
import { MessageResolver } from '../../modules/chat/message.resolver';
import { MatchResolver } from '../../modules/matching/match.resolver';
import { UserResolver } from '../../modules/users/user.resolver';
import type { Context } from './context';
import { UnauthenticatedError } from './errors';

/** Every resolver class; the composition root supplies their instances. */
export const resolverClasses = [
  AuthResolver,
  AccountResolver,
  UserResolver,
  MatchResolver,
  ChatResolver,
  MessageResolver,
] as const;

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

/** Builds the executable schema. `instances` maps each resolver class to its constructed instance. */
export function createSchema(instances: object[] = []): Promise<GraphQLSchema> {
  const byClass = new Map<unknown, object>(instances.map((i) => [i.constructor, i]));
  return buildSchema({
    resolvers: resolverClasses as unknown as NonEmptyArray<Function>,
    container: { get: (cls) => byClass.get(cls) ?? new (cls as new () => object)() },
    authChecker,
    validate: { forbidUnknownValues: false },
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    pubSub: topicsUnsupported,
  });
}
