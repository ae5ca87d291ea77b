import { registerEnumType } from 'type-graphql';

export enum ReportStatus {
  OPEN = 'OPEN',
  RESOLVED = 'RESOLVED',
}

/** A moderator's decision about a reported user. */
export enum ModerationAction {
  DISMISS = 'DISMISS',
  WARN = 'WARN',
  SUSPEND = 'SUSPEND',
  BAN = 'BAN',
}

/** What a line of the audit log records: a read of a conversation, or a decision. */
export enum ModerationLogAction {
  READ_EVIDENCE = 'READ_EVIDENCE',
  DISMISS = 'DISMISS',
  WARN = 'WARN',
  SUSPEND = 'SUSPEND',
  BAN = 'BAN',
}

registerEnumType(ReportStatus, {
  name: 'ReportStatus',
  description: 'Whether a moderator has decided about a report',
  valuesConfig: {
    OPEN: { description: 'Waiting for a moderator' },
    RESOLVED: { description: 'A moderator decided (see action)' },
  },
});

registerEnumType(ModerationAction, {
  name: 'ModerationAction',
  description: "A moderator's decision about a reported user; it resolves every open report about them",
  valuesConfig: {
    DISMISS: { description: 'No action; lifts a quarantine' },
    WARN: { description: 'The user is shown a warning (me.warning) until they dismiss it; a quarantine stays' },
    SUSPEND: { description: 'No login for `hours`; sockets close with 4403 on every instance' },
    BAN: { description: 'No login ever again; sockets close with 4403 on every instance' },
  },
});

registerEnumType(ModerationLogAction, {
  name: 'ModerationLogAction',
  description: 'What a moderation log entry records',
  valuesConfig: {
    READ_EVIDENCE: { description: "A moderator read a reported room's conversation (report(id))" },
    DISMISS: { description: 'Decided DISMISS' },
    WARN: { description: 'Decided WARN' },
    SUSPEND: { description: 'Decided SUSPEND' },
    BAN: { description: 'Decided BAN' },
  },
});
