import type { Em } from '../../infra/db/orm';
import { User } from './user.entity';
import type { UserRole } from './user-role';

/** Sets the role of the live account with this email (any case); false when there is none (`npm run user:role`). */
export async function setUserRole(em: Em, email: string, role: UserRole): Promise<boolean> {
  return (await em.nativeUpdate(User, { email: email.trim().toLowerCase(), deletedAt: null }, { role })) > 0;
}
