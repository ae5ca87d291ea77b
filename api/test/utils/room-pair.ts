import { gql } from './graphql';
import { area, MatchPlayer, north, type MatchEvent } from './match-player';

export interface RoomPair {
  a: MatchPlayer;
  b: MatchPlayer;
  roomId: string;
}

/**
 * Creates a chat room the way users do: `a` requests at `area(areaIndex)`, `b` 1 km north of it, both
 * accept the offer, `a` hears MATCHED and `b` sees the same room. Fresh players are signed up unless
 * passed in (e.g. one user matched with many partners). Use a distinct `areaIndex` (0..47) per
 * test so that tests sharing a server never match each other's users.
 *
 * The players keep their matchEvents sockets open: the caller closes them (`player.close()`), e.g.
 * by collecting them for `afterAll`.
 */
export async function createRoomPair(
  api: { graphqlUrl: string; wsUrl: string },
  areaIndex: number,
  players: { a?: MatchPlayer; b?: MatchPlayer } = {},
): Promise<RoomPair> {
  const a = players.a ?? (await MatchPlayer.create(api));
  const b = players.b ?? (await MatchPlayer.create(api));
  // Only events after these requests count: reused players have older offers in their history.
  const seenA = a.events!.items.length;
  const fresh = (p: MatchPlayer, seen: number, type: string, matchId?: string) =>
    p.events!.next(
      (d) =>
        p.events!.items.indexOf(d) >= seen &&
        d.matchEvents.type === type &&
        (!matchId || d.matchEvents.matchId === matchId),
    );

  const position = area(areaIndex);
  for (const [player, at] of [
    [a, position],
    [b, north(position, 1)],
  ] as const) {
    const res = await player.request(at, 5);
    if (res.errors) throw new Error(`createRoomPair: requestMatch failed: ${JSON.stringify(res.errors)}`);
  }
  const offer: MatchEvent = (await fresh(a, seenA, 'OFFERED')).matchEvents;
  if (offer.partner?.id !== b.id)
    throw new Error(`createRoomPair: ${a.id} was offered ${offer.partner?.id}, not ${b.id}`);
  await Promise.all([a.respond(offer.matchId, true), b.respond(offer.matchId, true)]);
  // `a` has heard OFFERED, so its subscription is up and MATCHED reaches it. `b` answered without
  // waiting for its own socket, which may still be connecting: it confirms the room over HTTP.
  const roomId = (await fresh(a, seenA, 'MATCHED', offer.matchId)).matchEvents.room!.id;
  const seenByB = await gql<{ room: { peer: { id: string } } }>(
    api.graphqlUrl,
    'query($id: ID!) { room(id: $id) { peer { id } } }',
    { id: roomId },
    { token: b.user.accessToken },
  );
  if (seenByB.data?.room.peer.id !== a.id)
    throw new Error(
      `createRoomPair: ${b.id} does not see room ${roomId} with ${a.id}: ${JSON.stringify(seenByB.errors)}`,
    );
  return { a, b, roomId };
}
