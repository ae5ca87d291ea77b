import type { Em } from '../../infra/db/orm';
import { BadUserInputError, NotFoundError } from '../../infra/graphql/errors';
import { Message } from '../chat/message.entity';
import type { MediaService } from '../media/media.service';
import { User } from './user.entity';
import type { UpdateProfileInput } from './profile.inputs';

/** The signed-in user's own profile: fields and photo. */
export class ProfileService {
  constructor(private readonly media: MediaService) {}

  async me(em: Em, userId: string): Promise<User> {
    const user = await em.findOne(User, { id: userId, deletedAt: null }, { connectionType: 'write' });
    if (!user) throw new NotFoundError('Your account no longer exists');
    return user;
  }

  /** Changes the given fields; `undefined` keeps a field, `null` clears gender or birthYear. */
  async update(em: Em, userId: string, input: UpdateProfileInput): Promise<User> {
    const user = await this.me(em, userId);
    if (input.nickname !== undefined) {
      const nickname = input.nickname?.trim() ?? '';
      if (nickname.length < 2 || nickname.length > 20)
        throw new BadUserInputError('nickname must be 2 to 20 characters long', 'nickname');
      user.nickname = nickname;
    }
    if (input.gender !== undefined) user.gender = input.gender ?? undefined;
    if (input.birthYear !== undefined) user.birthYear = input.birthYear ?? undefined;
    await em.flush();
    return user;
  }

  /** Makes one of the user's own uploads their photo; the previous photo is deleted. */
  async setPhoto(em: Em, userId: string, uploadId: string): Promise<User> {
    const user = await this.me(em, userId);
    const upload = await this.media.ownedUpload(em, userId, uploadId);
    const previous = user.photoId;
    user.photoId = upload.id;
    await em.flush();
    if (previous && previous !== upload.id) await this.dropUpload(em, userId, previous);
    return user;
  }

  /** Goes back to no photo, deleting the stored image. */
  async removePhoto(em: Em, userId: string): Promise<User> {
    const user = await this.me(em, userId);
    const previous = user.photoId;
    user.photoId = null;
    await em.flush();
    if (previous) await this.dropUpload(em, userId, previous);
    return user;
  }

  /** Deletes a former photo, unless it was also sent in a chat (it stays in that history). */
  private async dropUpload(em: Em, userId: string, uploadId: string): Promise<void> {
    // From the primary: a replica behind would miss a message sent with this photo a moment ago.
    if ((await em.count(Message, { image: uploadId }, { connectionType: 'write' })) > 0) return;
    await this.media.deleteUpload(em, await this.media.ownedUpload(em, userId, uploadId));
  }
}
