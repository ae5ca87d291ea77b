import type { Clock } from '../../infra/clock';
import type { Orm } from '../../infra/db/orm';
import type { SqlRunner } from '../../infra/db/sql-runner.port';
import type { DomainEvents } from '../../infra/events/domain-events';
import { AccountDeletionService } from './account-deletion.service';
import { AgeRule } from './birth-year';
import { CredentialsService } from './credentials.service';
import { PhoneNumbers } from './phone';
import { ProfileService } from './profile.service';
import { SafetyResolver } from './safety.resolver';
import { SafetyService } from './safety.service';
import { StandingResolver } from './standing.resolver';
import { StandingService } from './standing.service';
import { UserResolver } from './user.resolver';

export interface UsersModuleDeps {
  orm: Orm;
  /** Hand-written statements on the primary (the caller's own row for `me`). */
  sql: SqlRunner;
  events: DomainEvents;
  config: { adultAge: number };
  clock: Clock;
}

/** Members: accounts' rows, profiles, blocks and standing (roles, quarantine, sanctions). The bottom module: it depends on no other. */
export function createUsersModule({ orm, sql, events, config, clock }: UsersModuleDeps) {
  const ages = new AgeRule({ adultAge: config.adultAge, clock });
  const profile = new ProfileService(sql, ages);
  const safety = new SafetyService({ orm, events });
  const standing = new StandingService({ orm, events });
  return {
    profile,
    safety,
    standing,
    credentials: new CredentialsService(),
    /** The age rule (ADULT_AGE): sign-up and profile changes refuse minors. */
    ages,
    phones: new PhoneNumbers(),
    deletion: new AccountDeletionService({ orm, events }),
    resolvers: [new UserResolver(profile), new SafetyResolver(safety), new StandingResolver(standing)],
  };
}

export type UsersModule = ReturnType<typeof createUsersModule>;
