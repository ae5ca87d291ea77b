/**
 * The time in epoch milliseconds, for rules that depend on the date (the age rule, an account's
 * first day, code expiry): the root passes the system clock, tests a clock they move.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
