/**
 * Redis keys of the push module. One key per user, its id as the hash tag: a user's presence is
 * one slot on a Redis Cluster.
 */
export const presenceKey = (prefix: string, userId: string) => `${prefix}presence:{${userId}}`;
