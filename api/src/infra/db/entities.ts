import { User } from '../../modules/users/user.entity';

/** Every entity, for both dialects: the SQLite schema and the MySQL migrations come from this list. */
export const entities = [User];
