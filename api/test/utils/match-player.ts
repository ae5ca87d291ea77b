import type { Client } from 'graphql-ws';
import { gql, type GraphqlResponse } from './graphql';
import { collect, type Collected } from './subscription';
import { signUpUser, type TestUser } from './users';
import { wsClient } from './ws-client';

export const MATCH_EVENTS = `subscription {
  matchEvents { type matchId distanceKm expiresAt partner { id nickname } room { id closed peer { id } } }
}`;
const REQUEST = `mutation($input: MatchRequestInput!) { requestMatch(input: $input) { state radiusKm accepted offer { type matchId } } }`;
const RESPOND = `mutation($id: ID!, $accept: Boolean!) { respondToMatch(matchId: $id, accept: $accept) { state accepted offer { matchId } } }`;
const STATUS = `{ matchStatus { state radiusKm accepted offer { type matchId distanceKm expiresAt partner { id } } } }`;
const CANCEL = `mutation { cancelMatch { state } }`;

export interface MatchEvent {
  type: string;
  matchId: string;
  distanceKm: number | null;
  expiresAt: string | null;
  partner: { id: string; nickname: string } | null;
  room: { id: string; closed: boolean; peer: { id: string } } | null;
}

export interface Position {
  lat: number;
  lon: number;
}

/** A position `km` north of `p` (along the meridian). */
export const north = (p: Position, km: number): Position => ({ lat: p.lat + km / 111.195, lon: p.lon });

/** Far-apart areas so that tests sharing one server never match each other's users. */
export const area = (n: number): Position => ({ lat: -70 + n * 3.1, lon: -170 + n * 7.3 });

/** A user driving matching through the public API: HTTP mutations plus a matchEvents subscription. */
export class MatchPlayer {
  events?: Collected<{ matchEvents: MatchEvent }>;
  private client?: Client;

  private constructor(
    readonly user: TestUser,
    private readonly graphqlUrl: string,
    private readonly wsUrl: string,
  ) {}

  static async create(
    api: { graphqlUrl: string; wsUrl: string },
    options: { subscribe?: boolean } = {},
  ): Promise<MatchPlayer> {
    const player = new MatchPlayer(await signUpUser(api.graphqlUrl), api.graphqlUrl, api.wsUrl);
    if (options.subscribe !== false) player.subscribe();
    return player;
  }

  /** A player for an existing user, e.g. on another instance sharing the database. */
  static forUser(api: { graphqlUrl: string; wsUrl: string }, user: TestUser): MatchPlayer {
    const player = new MatchPlayer(user, api.graphqlUrl, api.wsUrl);
    player.subscribe();
    return player;
  }

  get id(): string {
    return this.user.id;
  }

  subscribe(wsUrl = this.wsUrl): void {
    this.client = wsClient(wsUrl, this.user.accessToken);
    this.events = collect(this.client, MATCH_EVENTS);
  }

  /** Resolves with the first event of this type (optionally for this matchId). */
  async next(type: string, matchId?: string, timeoutMs?: number): Promise<MatchEvent> {
    const e = await this.events!.next(
      (d) => d.matchEvents.type === type && (!matchId || d.matchEvents.matchId === matchId),
      timeoutMs,
    );
    return e.matchEvents;
  }

  received(type: string): MatchEvent[] {
    return (this.events?.items ?? []).map((d) => d.matchEvents).filter((e) => e.type === type);
  }

  request(position: Position, radiusKm: number, graphqlUrl = this.graphqlUrl): Promise<GraphqlResponse> {
    return gql(
      graphqlUrl,
      REQUEST,
      { input: { latitude: position.lat, longitude: position.lon, radiusKm } },
      { token: this.user.accessToken },
    );
  }

  respond(matchId: string, accept: boolean): Promise<GraphqlResponse> {
    return gql(this.graphqlUrl, RESPOND, { id: matchId, accept }, { token: this.user.accessToken });
  }

  async status(): Promise<{ state: string; radiusKm: number | null; accepted: boolean; offer: MatchEvent | null }> {
    const res = await gql(this.graphqlUrl, STATUS, undefined, { token: this.user.accessToken });
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return res.data.matchStatus;
  }

  cancel(): Promise<GraphqlResponse> {
    return gql(this.graphqlUrl, CANCEL, undefined, { token: this.user.accessToken });
  }

  /** Leaves matching and closes the socket. */
  async close(): Promise<void> {
    await this.cancel();
    this.events?.close();
    await this.client?.dispose();
  }

  /** Drops the socket without cancelling (a vanished client). */
  async disconnect(): Promise<void> {
    this.events?.close();
    await this.client?.dispose();
  }
}
