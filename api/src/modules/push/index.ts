/** The push module's public entry: other modules and the composition root import from here only. */
import { PushSubscription } from './push-subscription.entity';
import { PushResolver } from './push.resolver';

export { createPushModule, type PushModule } from './push.module';
export type { Presence } from './presence.port';
export { createMemoryPresence } from './presence.memory';
export { createRedisPresence } from './presence.redis';

/** The module's tables, for the composition root's entity registry. */
export const pushEntities = [PushSubscription];

/** The module's resolver classes, for the composition root's schema registry. */
export const pushResolverClasses = [PushResolver];
