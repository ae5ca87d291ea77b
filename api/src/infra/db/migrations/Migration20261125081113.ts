import { Migration } from '@mikro-orm/migrations';

export class Migration20261125081113 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`rooms\` (\`id\` varchar(36) not null, \`match_id\` varchar(64) not null, \`last_seq\` int not null default 0, \`created_at\` datetime(3) not null, \`last_activity_at\` datetime(3) not null, \`closed_at\` datetime(3) null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`rooms\` add unique \`rooms_match_id_unique\`(\`match_id\`);`);
    this.addSql(`alter table \`rooms\` add index \`rooms_last_activity_at_index\`(\`last_activity_at\`);`);

    this.addSql(
      `create table \`room_members\` (\`room_id\` varchar(36) not null, \`user_id\` varchar(36) not null, \`last_read_seq\` int not null default 0, \`joined_at\` datetime(3) not null, primary key (\`room_id\`, \`user_id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`room_members\` add index \`room_members_room_id_index\`(\`room_id\`);`);
    this.addSql(`alter table \`room_members\` add index \`room_members_user_id_index\`(\`user_id\`);`);

    this.addSql(
      `create table \`blocks\` (\`blocker_id\` varchar(36) not null, \`blocked_id\` varchar(36) not null, \`created_at\` datetime(3) not null, primary key (\`blocker_id\`, \`blocked_id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`blocks\` add index \`blocks_blocker_id_index\`(\`blocker_id\`);`);
    this.addSql(`alter table \`blocks\` add index \`blocks_blocked_id_index\`(\`blocked_id\`);`);

    this.addSql(
      `alter table \`room_members\` add constraint \`room_members_room_id_foreign\` foreign key (\`room_id\`) references \`rooms\` (\`id\`) on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table \`room_members\` add constraint \`room_members_user_id_foreign\` foreign key (\`user_id\`) references \`users\` (\`id\`) on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table \`blocks\` add constraint \`blocks_blocker_id_foreign\` foreign key (\`blocker_id\`) references \`users\` (\`id\`) on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table \`blocks\` add constraint \`blocks_blocked_id_foreign\` foreign key (\`blocked_id\`) references \`users\` (\`id\`) on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table \`room_members\` drop foreign key \`room_members_room_id_foreign\`;`);

    this.addSql(`drop table if exists \`rooms\`;`);

    this.addSql(`drop table if exists \`room_members\`;`);

    this.addSql(`drop table if exists \`blocks\`;`);
  }
}
