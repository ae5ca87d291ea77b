import { Migration } from '@mikro-orm/migrations';

export class Migration20261201223535 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`email_codes\` (\`id\` varchar(36) not null, \`purpose\` varchar(16) not null, \`email\` varchar(254) not null, \`code_hash\` varchar(64) not null, \`attempts\` int not null, \`expires_at\` datetime(3) not null, \`created_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`email_codes\` add unique \`email_codes_purpose_email_unique\`(\`purpose\`, \`email\`);`);

    this.addSql(
      `create table \`outgoing_mails\` (\`id\` varchar(36) not null, \`recipient\` varchar(254) not null, \`subject\` varchar(200) not null, \`text\` text not null, \`html\` text null, \`attempts\` int not null, \`next_attempt_at\` datetime(3) not null, \`claimed_until\` datetime(3) null, \`last_error\` varchar(500) null, \`failed_at\` datetime(3) null, \`created_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`outgoing_mails\` add index \`outgoing_mails_recipient_index\`(\`recipient\`);`);
    this.addSql(
      `alter table \`outgoing_mails\` add index \`outgoing_mails_due_index\`(\`failed_at\`, \`next_attempt_at\`);`,
    );

    this.addSql(
      `create table \`uploads\` (\`id\` varchar(36) not null, \`owner_id\` varchar(36) not null, \`full_key\` varchar(255) not null, \`thumb_key\` varchar(255) not null, \`content_type\` varchar(64) not null, \`width\` int not null, \`height\` int not null, \`bytes\` int not null, \`created_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`uploads\` add index \`uploads_owner_id_index\`(\`owner_id\`);`);

    this.addSql(
      `create table \`password_resets\` (\`id\` varchar(36) not null, \`user_id\` varchar(36) not null, \`token_hash\` varchar(64) not null, \`expires_at\` datetime(3) not null, \`used_at\` datetime(3) null, \`created_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`password_resets\` add index \`password_resets_user_id_index\`(\`user_id\`);`);
    this.addSql(`alter table \`password_resets\` add unique \`password_resets_token_hash_unique\`(\`token_hash\`);`);

    this.addSql(
      `alter table \`uploads\` add constraint \`uploads_owner_id_foreign\` foreign key (\`owner_id\`) references \`users\` (\`id\`) on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table \`password_resets\` add constraint \`password_resets_user_id_foreign\` foreign key (\`user_id\`) references \`users\` (\`id\`) on update cascade on delete cascade;`,
    );

    this.addSql(`alter table \`rooms\` add \`closed_reason\` varchar(16) null, add \`distance_km\` smallint null;`);

    this.addSql(
      `alter table \`users\` add \`photo_id\` varchar(36) null, add \`failed_logins\` int not null, add \`locked_at\` datetime(3) null, add \`deleted_at\` datetime(3) null;`,
    );
    this.addSql(
      `alter table \`users\` modify \`email\` varchar(254) null, modify \`password_hash\` varchar(255) null, modify \`gender\` varchar(16);`,
    );

    this.addSql(`alter table \`messages\` add \`image_id\` varchar(36) null;`);
    this.addSql(
      `alter table \`messages\` add constraint \`messages_image_id_foreign\` foreign key (\`image_id\`) references \`uploads\` (\`id\`) on update cascade on delete set null;`,
    );
    this.addSql(`alter table \`messages\` add index \`messages_image_id_index\`(\`image_id\`);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table \`messages\` drop foreign key \`messages_image_id_foreign\`;`);

    this.addSql(`drop table if exists \`email_codes\`;`);

    this.addSql(`drop table if exists \`outgoing_mails\`;`);

    this.addSql(`drop table if exists \`uploads\`;`);

    this.addSql(`drop table if exists \`password_resets\`;`);

    this.addSql(`alter table \`rooms\` drop column \`closed_reason\`, drop column \`distance_km\`;`);

    this.addSql(`alter table \`messages\` drop index \`messages_image_id_index\`;`);
    this.addSql(`alter table \`messages\` drop column \`image_id\`;`);

    this.addSql(
      `alter table \`users\` drop column \`photo_id\`, drop column \`failed_logins\`, drop column \`locked_at\`, drop column \`deleted_at\`;`,
    );

    this.addSql(
      `alter table \`users\` modify \`email\` varchar(254) not null, modify \`password_hash\` varchar(255) not null, modify \`gender\` enum('FEMALE', 'MALE', 'NONBINARY');`,
    );
  }
}
