import { GraphQLDateTime } from 'graphql-scalars';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type AuthChecker, type NonEmptyArray } from 'type-graphql';
import { AuthResolver } from '../../modules/auth/auth.resolver';
import { UserResolver } from '../../modules/users/user.resolver';
import type { Context } from './context';
import { UnauthenticatedError } from './errors';

/** Every resolver class; the composition root supplies their instances. */
export const resolverClasses = [AuthResolver, UserResolver] as const;

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
  });
}
