import { OutgoingMail } from '../mail/outgoing-mail.entity';
import { EmailCode } from '../../modules/auth/email-code.entity';
import { PasswordReset } from '../../modules/auth/password-reset.entity';
import { Message } from '../../modules/chat/message.entity';
import { Report } from '../../modules/chat/report.entity';
import { Room } from '../../modules/chat/room.entity';
import { RoomMember } from '../../modules/chat/room-member.entity';
import { Upload } from '../../modules/media/upload.entity';
import { Block } from '../../modules/users/block.entity';
import { User } from '../../modules/users/user.entity';

/** Every entity, for both dialects: the SQLite schema and the MySQL migrations come from this list. */
export const entities = [
  User,
  Block,
  Room,
  RoomMember,
  Message,
  Report,
  EmailCode,
  PasswordReset,
  OutgoingMail,
  Upload,
];
