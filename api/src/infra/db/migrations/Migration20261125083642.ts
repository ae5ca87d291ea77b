import { Migration } from '@mikro-orm/migrations';

export class Migration20261125083642 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`reports\` (\`id\` varchar(36) not null, \`reporter_id\` varchar(36) not null, \`reported_id\` varchar(36) not null, \`reason\` varchar(1000) not null, \`created_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`reports\` add index \`reports_reporter_id_index\`(\`reporter_id\`);`);
    this.addSql(`alter table \`reports\` add index \`reports_reported_id_index\`(\`reported_id\`);`);

    this.addSql(
      `create table \`messages\` (\`id\` varchar(36) not null, \`room_id\` varchar(36) not null, \`seq\` int not null, \`sender_id\` varchar(36) not null, \`client_message_id\` varchar(64) not null, \`body\` text not null, \`created_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`messages\` add index \`messages_room_id_index\`(\`room_id\`);`);
    this.addSql(`alter table \`messages\` add index \`messages_sender_id_index\`(\`sender_id\`);`);
    this.addSql(
      `alter table \`messages\` add unique \`messages_room_sender_client_id_unique\`(\`room_id\`, \`sender_id\`, \`client_message_id\`);`,
    );
    this.addSql(`alter table \`messages\` add unique \`messages_room_seq_unique\`(\`room_id\`, \`seq\`);`);

    this.addSql(
      `alter table \`reports\` add constraint \`reports_reporter_id_foreign\` foreign key (\`reporter_id\`) references \`users\` (\`id\`) on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table \`reports\` add constraint \`reports_reported_id_foreign\` foreign key (\`reported_id\`) references \`users\` (\`id\`) on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table \`messages\` add constraint \`messages_room_id_foreign\` foreign key (\`room_id\`) references \`rooms\` (\`id\`) on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table \`messages\` add constraint \`messages_sender_id_foreign\` foreign key (\`sender_id\`) references \`users\` (\`id\`) on update cascade on delete cascade;`,
    );

    this.addSql(`alter table \`room_members\` add \`left_at\` datetime(3) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`reports\`;`);

    this.addSql(`drop table if exists \`messages\`;`);

    this.addSql(`alter table \`room_members\` drop column \`left_at\`;`);
  }
}
