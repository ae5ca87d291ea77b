import { Migration } from '@mikro-orm/migrations';

export class Migration20261203100914 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`login_sessions\` (\`id\` varchar(36) not null, \`user_id\` varchar(64) not null, \`current_hash\` varchar(64) not null, \`expires_at\` datetime(3) not null, \`created_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`login_sessions\` add index \`login_sessions_user_id_index\`(\`user_id\`);`);

    this.addSql(
      `create table \`rotated_refresh_tokens\` (\`token_hash\` varchar(64) not null, \`session_id\` varchar(36) not null, \`rotated_at\` datetime(3) not null, primary key (\`token_hash\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(
      `alter table \`rotated_refresh_tokens\` add index \`rotated_refresh_tokens_session_id_index\`(\`session_id\`);`,
    );

    this.addSql(
      `alter table \`rotated_refresh_tokens\` add constraint \`rotated_refresh_tokens_session_id_foreign\` foreign key (\`session_id\`) references \`login_sessions\` (\`id\`) on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table \`rotated_refresh_tokens\` drop foreign key \`rotated_refresh_tokens_session_id_foreign\`;`,
    );

    this.addSql(`drop table if exists \`login_sessions\`;`);

    this.addSql(`drop table if exists \`rotated_refresh_tokens\`;`);
  }
}
