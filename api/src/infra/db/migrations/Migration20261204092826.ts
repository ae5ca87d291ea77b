import { Migration } from '@mikro-orm/migrations';

export class Migration20261204092826 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`push_subscriptions\` (\`id\` varchar(36) not null, \`user_id\` varchar(36) not null, \`endpoint\` varchar(512) not null, \`p256dh\` varchar(100) not null, \`auth\` varchar(32) not null, \`device_label\` varchar(60) not null, \`previews\` tinyint(1) not null, \`created_at\` datetime(3) not null, \`last_used_at\` datetime(3) null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`push_subscriptions\` add index \`push_subscriptions_user_id_index\`(\`user_id\`);`);
    this.addSql(`alter table \`push_subscriptions\` add unique \`push_subscriptions_endpoint_unique\`(\`endpoint\`);`);

    this.addSql(`alter table \`push_subscriptions\` add constraint \`push_subscriptions_user_id_foreign\` foreign key (\`user_id\`) references \`users\` (\`id\`) on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`push_subscriptions\`;`);
  }

}
