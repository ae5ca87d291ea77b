/**
 * The registries of the composition root: every table (entity) and every GraphQL resolver class,
 * module by module. Adding a module means adding its lines here and its factory in server.ts.
 */
import type { GraphQLSchema } from 'graphql';
import { createSchema } from './infra/graphql/schema';
import { OutgoingMail } from './infra/mail/outgoing-mail.entity';
import { authEntities, authResolverClasses } from './modules/auth';
import { chatEntities, chatResolverClasses } from './modules/chat';
import { matchingResolverClasses } from './modules/matching';
import { mediaEntities, mediaResolverClasses } from './modules/media';
import { moderationEntities, moderationResolverClasses } from './modules/moderation';
import { pushEntities, pushResolverClasses } from './modules/push';
import { trustEntities, trustResolverClasses } from './modules/trust';
import { usersEntities, usersResolverClasses } from './modules/users';

export const entities = [
  ...usersEntities,
  ...authEntities,
  ...mediaEntities,
  ...chatEntities,
  ...pushEntities,
  ...trustEntities,
  ...moderationEntities,
  OutgoingMail,
];

export const resolverClasses = [
  ...usersResolverClasses,
  ...authResolverClasses,
  ...mediaResolverClasses,
  ...chatResolverClasses,
  ...matchingResolverClasses,
  ...pushResolverClasses,
  ...trustResolverClasses,
  ...moderationResolverClasses,
];

/** The API's schema; pass the modules' resolver instances to serve it, nothing to print it. */
export function createAppSchema(instances: object[] = []): Promise<GraphQLSchema> {
  return createSchema(resolverClasses, instances);
}
