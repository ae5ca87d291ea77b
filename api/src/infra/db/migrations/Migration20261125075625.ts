import { Migration } from '@mikro-orm/migrations';

export class Migration20261125075625 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`users\` (\`id\` varchar(36) not null, \`email\` varchar(254) not null, \`password_hash\` varchar(255) not null, \`nickname\` varchar(20) not null, \`gender\` enum('FEMALE', 'MALE', 'NONBINARY') null, \`birth_year\` smallint null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`users\` add unique \`users_email_unique\`(\`email\`);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`users\`;`);
  }
}
