import { randomUUID } from 'node:crypto';
import { Entity, Enum, type Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { Gender } from './gender';

export interface NewUser {
  email: string;
  passwordHash: string;
  nickname: string;
  gender?: Gender;
  birthYear?: number;
}

@Entity({ tableName: 'users' })
export class User {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  /** Lower-cased; unique. */
  @Property({ length: 254, unique: true })
  email: string;

  /** `scrypt$<logN>$<r>$<p>$<salt>$<hash>`: parameters travel with the hash so they can be raised later. */
  @Property({ length: 255, hidden: true, lazy: true })
  passwordHash: string;

  @Property({ length: 20 })
  nickname: string;

  @Enum({ items: () => Gender, nullable: true })
  gender?: Gender;

  @Property({ type: 'smallint', nullable: true })
  birthYear?: number;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', length: 3, onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();

  constructor(init: NewUser) {
    this.email = init.email;
    this.passwordHash = init.passwordHash;
    this.nickname = init.nickname;
    this.gender = init.gender;
    this.birthYear = init.birthYear;
  }
}
