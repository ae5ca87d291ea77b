import type { Em } from '../../infra/db/orm';
import { olderThan } from './cursor';
import { ModerationLogEntry } from './moderation-log.entity';

/**
 * The moderation audit log: append and list, nothing else. There is deliberately no method that
 * changes or removes an entry, and the database refuses both (see ModerationLogEntry).
 */
export const auditLog = {
  append(em: Em, entry: ConstructorParameters<typeof ModerationLogEntry>[0]): Promise<void> {
    return em.persistAndFlush(new ModerationLogEntry(entry));
  },

  /** Newest first: `first + 1` entries older than `after`. */
  list(em: Em, first: number, after: { at: Date; id: string } | null): Promise<ModerationLogEntry[]> {
    return em.find(ModerationLogEntry, after ? olderThan(after) : {}, {
      orderBy: { createdAt: 'desc', id: 'desc' },
      limit: first + 1,
    });
  },
};
