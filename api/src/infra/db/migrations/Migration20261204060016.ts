import { Migration } from '@mikro-orm/migrations';

export class Migration20261204060016 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`ended_login_sessions\` (\`id\` varchar(36) not null, \`reason\` varchar(20) not null, \`ended_at\` datetime(3) not null, \`expires_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(
      `alter table \`ended_login_sessions\` add index \`ended_login_sessions_expires_at_index\`(\`expires_at\`);`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`ended_login_sessions\`;`);
  }
}
