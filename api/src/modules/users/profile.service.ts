import type { Em } from '../../infra/db/orm';
import type { SqlRunner } from '../../infra/db/sql-runner.port';
import type { AgeRule } from './birth-year';
import { NotFoundError } from '../../infra/graphql/errors';
import { normaliseNickname } from './nickname';
import type { UpdateProfileInput } from './profile.inputs';
import { User } from './user.entity';
import { userColumns, userFromRow, type UserFields } from './user.row';

/** One user by id, email included, as a plain row (read paths that skip entity hydration). */
const USER_SQL = `SELECT ${userColumns('u', 'user', { email: true })} FROM users u WHERE u.id = ?`;
const LIVE_USER_SQL = `${USER_SQL} AND u.deleted_at IS NULL`;

type Row = Record<string, unknown>;

/** Profiles: the signed-in user's own fields and photo, and users as others see them. */
export class ProfileService {
  constructor(
    private readonly sql: SqlRunner,
    private readonly ages: AgeRule,
  ) {}

  /**
   * The caller's own account, from the primary (they may have just changed it): one plain statement,
   * no EntityManager fork or hydration (`me` is the most frequent query).
   */
  async me(userId: string): Promise<UserFields> {
    const [row] = await this.sql.all<Row>(LIVE_USER_SQL, [userId]);
    if (!row) throw new NotFoundError('Your account no longer exists');
    return userFromRow(row, 'user');
  }

  /**
   * A user, deleted ones included (they show as "Deleted user"), from the primary, as a plain row
   * (outside any transaction `em` is in: a read-only look, never a row to change).
   */
  async find(em: Em, userId: string): Promise<UserFields | null> {
    const [row] = await em.getConnection().execute<Row[]>(USER_SQL, [userId]);
    return row ? userFromRow(row, 'user') : null;
  }

  /** Users by id in one statement, from the primary; missing ids are absent from the map. */
  async findMany(em: Em, ids: string[]): Promise<Map<string, UserFields>> {
    const unique = [...new Set(ids)];
    const users = unique.length ? await em.find(User, { id: { $in: unique } }) : [];
    return new Map(users.map((u) => [u.id, u]));
  }

  /** Those of the uploads that are someone's profile photo. */
  async photosAmong(em: Em, uploadIds: string[]): Promise<Set<string>> {
    const users = await em.find(User, { photoId: { $in: uploadIds } }, { fields: ['photoId'] });
    return new Set(users.flatMap((u) => (u.photoId ? [u.photoId] : [])));
  }

  /** Changes the given fields; `undefined` keeps a field, `null` clears gender or birthYear. */
  async update(em: Em, userId: string, input: UpdateProfileInput): Promise<UserFields> {
    this.ages.check(input.birthYear);
    const user = await this.live(em, userId);
    if (input.nickname !== undefined) {
      user.nickname = normaliseNickname(input.nickname ?? '');
    }
    if (input.gender !== undefined) user.gender = input.gender ?? undefined;
    if (input.birthYear !== undefined) user.birthYear = input.birthYear ?? undefined;
    await em.flush();
    return user;
  }

  /** Sets or clears the photo (an upload id, checked by its owner, media); returns the user and the previous photo. */
  async setPhotoId(
    em: Em,
    userId: string,
    photoId: string | null,
  ): Promise<{ user: UserFields; previous: string | null }> {
    const user = await this.live(em, userId);
    const previous = user.photoId ?? null;
    user.photoId = photoId;
    await em.flush();
    return { user, previous };
  }

  private async live(em: Em, userId: string): Promise<User> {
    const user = await em.findOne(User, { id: userId, deletedAt: null });
    if (!user) throw new NotFoundError('Your account no longer exists');
    return user;
  }
}
