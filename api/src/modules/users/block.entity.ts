import { Entity, ManyToOne, type Opt, PrimaryKeyProp, Property, type Ref } from '@mikro-orm/core';
import { User } from './user.entity';

/** `blocker` never wants to meet `blocked` again; matching honours it both ways. */
@Entity({ tableName: 'blocks' })
export class Block {
  [PrimaryKeyProp]?: ['blocker', 'blocked'];

  @ManyToOne(() => User, { primary: true, ref: true, deleteRule: 'cascade' })
  blocker: Ref<User>;

  @ManyToOne(() => User, { primary: true, ref: true, index: true, deleteRule: 'cascade' })
  blocked: Ref<User>;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();

  constructor(blocker: Ref<User>, blocked: Ref<User>) {
    this.blocker = blocker;
    this.blocked = blocked;
  }
}
