/** The moderation module's public entry: the composition root imports from here only. */
import { ModerationLogEntry } from './moderation-log.entity';
import { ModerationResolver } from './moderation.resolver';
import { Report } from './report.entity';

export { createModerationModule, type ModerationModule } from './moderation.module';
export { ModerationAction, ModerationLogAction, ReportStatus } from './moderation.enums';

/** The module's tables, for the composition root's entity registry. */
export const moderationEntities = [Report, ModerationLogEntry];

/** The module's resolver classes, for the composition root's schema registry. */
export const moderationResolverClasses = [ModerationResolver];
