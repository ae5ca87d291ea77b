import type { Em } from '../../infra/db/orm';
import type { ProfileService, UserFields } from '../users';
import type { MediaService } from './media.service';

/** Profile photos: one of the user's own uploads, kept in the user's profile (users owns the row). */
export class PhotoService {
  constructor(private readonly deps: { media: MediaService; profile: ProfileService }) {}

  /** Makes one of the user's own uploads their photo; the previous photo is deleted. */
  async setPhoto(em: Em, userId: string, uploadId: string): Promise<UserFields> {
    const upload = await this.deps.media.ownedUpload(em, userId, uploadId);
    const { user, previous } = await this.deps.profile.setPhotoId(em, userId, upload.id);
    if (previous && previous !== upload.id) await this.drop(em, userId, previous);
    return user;
  }

  /** Goes back to no photo, deleting the stored image. */
  async removePhoto(em: Em, userId: string): Promise<UserFields> {
    const { user, previous } = await this.deps.profile.setPhotoId(em, userId, null);
    if (previous) await this.drop(em, userId, previous);
    return user;
  }

  /** Deletes a former photo, unless it is also shown elsewhere (e.g. sent in a chat). */
  private async drop(em: Em, userId: string, uploadId: string): Promise<void> {
    await this.deps.media.deleteUnlessReferenced(em, await this.deps.media.ownedUpload(em, userId, uploadId));
  }
}
