/** The trust module's public entry: the composition root imports from here only. */
import { PhoneCode } from './phone-code.entity';
import { TrustResolver } from './trust.resolver';

export { createTrustModule, type TrustModule } from './trust.module';

/** The module's tables, for the composition root's entity registry. */
export const trustEntities = [PhoneCode];

/** The module's resolver classes, for the composition root's schema registry. */
export const trustResolverClasses = [TrustResolver];
