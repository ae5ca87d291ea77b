/**
 * How long a closed chat is kept sealed as evidence, in days: the API's EVIDENCE_RETENTION_DAYS
 * default (README, "Privacy and data"). A server that changes it should change this too.
 */
export const EVIDENCE_RETENTION_DAYS = 90;
