import { BadUserInputError } from '../../infra/graphql/errors';

/** Keyset cursors over (createdAt, id), newest first. */
export const encodeCursor = (at: Date, id: string): string =>
  Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');

export function decodeCursor(cursor: string, list: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime()))
    throw new BadUserInputError(`after is not a cursor returned by ${list}`, 'after');
  return { at, id };
}

/** The keyset condition "older than the cursor", for a MikroORM `where`. */
export const olderThan = (cursor: { at: Date; id: string }) => ({
  $or: [{ createdAt: { $lt: cursor.at } }, { createdAt: cursor.at, id: { $lt: cursor.id } }],
});

/** Page sizes: 1..100. */
export function pageSize(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > 100)
    throw new BadUserInputError('first must be 1..100', 'first');
  return first;
}

/** A page of `first` from `rows` read with `first + 1`. */
export function page<T, N>(
  rows: T[],
  first: number,
  after: string | null | undefined,
  edge: (row: T) => { cursor: string; node: N },
) {
  const edges = rows.slice(0, first).map(edge);
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: Boolean(after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
