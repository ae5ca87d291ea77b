import { Migration } from '@mikro-orm/migrations';

export class Migration20261204121607 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`moderation_log\` (\`id\` varchar(36) not null, \`created_at\` datetime(3) not null, \`moderator_id\` varchar(36) not null, \`action\` varchar(24) not null, \`report_id\` varchar(36) not null, \`subject_id\` varchar(36) not null, \`room_id\` varchar(36) null, \`hours\` int null, \`note\` varchar(500) null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`moderation_log\` add index \`moderation_log_created_at_index\`(\`created_at\`);`);
    // The audit log's triggers (the database refusing UPDATE and DELETE) are created at start by the
    // moderation module (moderation-log.guard.ts): they need privileges a migration must not depend on.

    this.addSql(`alter table \`rooms\` add index \`rooms_closed_at_index\`(\`closed_at\`);`);

    this.addSql(`alter table \`users\` add \`role\` varchar(16) not null, add \`quarantined_at\` datetime(3) null, add \`suspended_until\` datetime(3) null, add \`banned_at\` datetime(3) null, add \`sanction_note\` varchar(500) null, add \`warning_note\` varchar(500) null, add \`warned_at\` datetime(3) null;`);
    this.addSql(`update \`users\` set \`role\` = 'USER' where \`role\` = '';`);

    this.addSql(`alter table \`reports\` add \`room_id\` varchar(36) null, add \`status\` varchar(16) not null, add \`action\` varchar(16) null, add \`resolved_by\` varchar(36) null, add \`resolved_at\` datetime(3) null;`);
    this.addSql(`update \`reports\` set \`status\` = 'OPEN' where \`status\` = '';`);
    this.addSql(`alter table \`reports\` add index \`reports_status_created_index\`(\`status\`, \`created_at\`);`);
    this.addSql(`alter table \`reports\` add index \`reports_reported_status_created_index\`(\`reported_id\`, \`status\`, \`created_at\`);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`moderation_log\`;`);

    this.addSql(`alter table \`rooms\` drop index \`rooms_closed_at_index\`;`);

    this.addSql(`alter table \`reports\` drop index \`reports_status_created_index\`;`);
    this.addSql(`alter table \`reports\` drop index \`reports_reported_status_created_index\`;`);
    this.addSql(`alter table \`reports\` drop column \`room_id\`, drop column \`status\`, drop column \`action\`, drop column \`resolved_by\`, drop column \`resolved_at\`;`);

    this.addSql(`alter table \`users\` drop column \`role\`, drop column \`quarantined_at\`, drop column \`suspended_until\`, drop column \`banned_at\`, drop column \`sanction_note\`, drop column \`warning_note\`, drop column \`warned_at\`;`);
  }

}
