import type { Orm } from '../../infra/db/orm';
import { BadUserInputError, NotFoundError } from '../../infra/graphql/errors';
import { OutgoingMail } from '../../infra/mail/outgoing-mail.entity';
import type { AuthService } from '../auth/auth.service';
import { EmailCode } from '../auth/email-code.entity';
import type { PasswordHasher } from '../auth/password';
import { PasswordReset } from '../auth/password-reset.entity';
import type { ChatService } from '../chat/chat.service';
import { Message } from '../chat/message.entity';
import { RoomClosedReason } from '../chat/room-closed-reason';
import type { MatchService } from '../matching/match.service';
import type { MediaService } from '../media/media.service';
import { Upload } from '../media/upload.entity';
import { Block } from './block.entity';
import { User } from './user.entity';
import { DELETED_NICKNAME } from './user.types';

export interface AccountDeletionDeps {
  orm: Orm;
  hasher: PasswordHasher;
  auth: AuthService;
  chat: ChatService;
  media: MediaService;
  matching: MatchService;
}

/**
 * Deletes an account without taking its peers' history with it. One transaction erases everything
 * personal (email, password hash, profile, photo, blocks, pending codes, reset tokens and mails) and
 * closes the open rooms with ACCOUNT_DELETED; the user row stays as an anonymous "deleted user" so
 * the messages it sent remain readable to the peers. Sessions end (on every instance) before and
 * again after the transaction; queue state, live events and stored images follow the commit.
 */
export class AccountDeletionService {
  constructor(private readonly deps: AccountDeletionDeps) {}

  async deleteAccount(userId: string, password: string): Promise<void> {
    const em = this.deps.orm.em.fork();
    const user = await em.findOne(
      User,
      { id: userId, deletedAt: null },
      { populate: ['passwordHash'], connectionType: 'write' },
    );
    if (!user) throw new NotFoundError('Your account no longer exists');
    if (!(await this.deps.hasher.verify(password, user.passwordHash)))
      throw new BadUserInputError('password is not your password', 'password');
    const email = user.email!;

    await this.deps.auth.endAllSessions(userId, 'account-deleted');
    // Out of the queue before the profile is erased: a search carries the profile offers show.
    // (Again after the commit, for a request that was already past its session check.)
    await this.deps.matching.cancel(userId);
    const closedRooms = await em.transactional(
      async (tx) => {
        await tx.nativeUpdate(
          User,
          { id: userId },
          {
            email: null,
            passwordHash: null,
            nickname: DELETED_NICKNAME,
            gender: null,
            birthYear: null,
            photoId: null,
            failedLogins: 0,
            lockedAt: null,
            deletedAt: new Date(),
          },
        );
        await tx.nativeDelete(Block, { $or: [{ blocker: userId }, { blocked: userId }] });
        await tx.nativeDelete(EmailCode, { email });
        await tx.nativeDelete(PasswordReset, { user: userId });
        await tx.nativeDelete(OutgoingMail, { recipient: email });
        return this.deps.chat.closeRoomsOf(tx, userId, RoomClosedReason.ACCOUNT_DELETED);
        // clear: the user loaded above would otherwise be written back over the erasure at commit.
      },
      { clear: true },
    );
    await this.deps.auth.endAllSessions(userId, 'account-deleted');
    await this.deps.matching.cancel(userId);
    await this.deps.chat.announceClosed(closedRooms, userId, RoomClosedReason.ACCOUNT_DELETED);
    await this.deleteUnsharedUploads(userId);
  }

  /** The user's uploads, but for the images they sent in chat: those stay in their peers' history. */
  private async deleteUnsharedUploads(userId: string): Promise<void> {
    const em = this.deps.orm.em.fork();
    const sent = await em.find(
      Message,
      { sender: userId, image: { $ne: null } },
      { fields: ['image'], connectionType: 'write' },
    );
    const keep = new Set(sent.map((m) => m.image!.id));
    const uploads = await em.find(Upload, { owner: userId }, { connectionType: 'write' });
    for (const upload of uploads) if (!keep.has(upload.id)) await this.deps.media.deleteUpload(em, upload);
  }
}
