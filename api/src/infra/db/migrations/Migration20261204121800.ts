import { Migration } from '@mikro-orm/migrations';

export class Migration20261204121800 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`phone_codes\` (\`id\` varchar(36) not null, \`user_id\` varchar(36) not null, \`phone\` varchar(16) not null, \`code_hash\` varchar(64) not null, \`attempts\` int not null, \`expires_at\` datetime(3) not null, \`created_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`phone_codes\` add index \`phone_codes_user_id_index\`(\`user_id\`);`);
    this.addSql(`alter table \`phone_codes\` add unique \`phone_codes_user_id_unique\`(\`user_id\`);`);

    this.addSql(`alter table \`phone_codes\` add constraint \`phone_codes_user_id_foreign\` foreign key (\`user_id\`) references \`users\` (\`id\`) on update cascade on delete cascade;`);

    this.addSql(`alter table \`users\` add \`phone\` varchar(16) null, add \`phone_verified_at\` datetime(3) null;`);
    this.addSql(`alter table \`users\` add unique \`users_phone_unique\`(\`phone\`);`);

    this.addSql(`alter table \`messages\` add \`masked\` varchar(32) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`phone_codes\`;`);

    this.addSql(`alter table \`messages\` drop column \`masked\`;`);

    this.addSql(`alter table \`users\` drop index \`users_phone_unique\`;`);
    this.addSql(`alter table \`users\` drop column \`phone\`, drop column \`phone_verified_at\`;`);
  }

}
