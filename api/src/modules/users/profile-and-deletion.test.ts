import { backendKind } from '../../../test/utils/backend';
import { Chatter, ROOM_EVENTS } from '../../../test/utils/chatter';
import { queryDb } from '../../../test/utils/db-query';
import { codes, gql } from '../../../test/utils/graphql';
import type { MatchPlayer } from '../../../test/utils/match-player';
import { ok } from '../../../test/utils/ok';
import { createRoomPair } from '../../../test/utils/room-pair';
import { subscribeRoom } from '../../../test/utils/room-events';
import { startTestS3, type TestS3 } from '../../../test/utils/s3';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { sampleJpeg, uploadImage } from '../../../test/utils/upload';
import { signUpUser } from '../../../test/utils/users';
import { openAcked, wsClient } from '../../../test/utils/ws-client';

const IMAGE = 'url thumbnailUrl width height';
const ME = `{ me { id nickname gender birthYear age email maskedEmail deleted photo { ${IMAGE} } } }`;
const UPDATE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { nickname gender birthYear age } }`;
const SET_PHOTO = `mutation($id: ID!) { setProfilePhoto(uploadId: $id) { photo { ${IMAGE} } } }`;
const SEND_IMAGE = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id seq body image { ${IMAGE} } } }`;

let api: TestServer;
/** The real backend keeps media in a fake S3 (s3rver), the embedded one on local disk. */
let s3: TestS3 | undefined;
const players: MatchPlayer[] = [];

const call = (token: string, query: string, variables?: Record<string, unknown>) =>
  gql(api.graphqlUrl, query, variables, { token });
const fetchUrl = (url: string) => fetch(new URL(url, api.url));

async function room(areaIndex: number) {
  const pair = await createRoomPair(api, areaIndex);
  players.push(pair.a, pair.b);
  return { roomId: pair.roomId, a: pair.a.user, b: pair.b.user };
}

beforeAll(async () => {
  s3 = backendKind() === 'real' ? await startTestS3() : undefined;
  api = await startTestServer({ env: { ...s3?.env } });
});

afterAll(async () => {
  await Promise.all(players.map((p) => p.close()));
  await api.close();
  await s3?.close();
});

describe('profile', () => {
  it('updates nickname, gender and birth year, and shows your own email masked', async () => {
    const user = await signUpUser(api.graphqlUrl, { nickname: 'Before' });
    const year = new Date().getUTCFullYear();
    expect(
      ok(
        await call(user.accessToken, UPDATE, {
          input: { nickname: ' Jiwoo ', gender: 'FEMALE', birthYear: year - 25 },
        }),
      ).updateProfile,
    ).toEqual({
      nickname: 'Jiwoo',
      gender: 'FEMALE',
      birthYear: year - 25,
      age: 25,
    });
    const me = ok(await call(user.accessToken, ME)).me;
    expect(me.maskedEmail).toMatch(/^u\*\*\*.@example\.test$/);
    expect(me.email).toBe(user.email);
    expect(ok(await call(user.accessToken, UPDATE, { input: { gender: null } })).updateProfile).toMatchObject({
      nickname: 'Jiwoo',
      gender: null,
    });
    for (const input of [
      { nickname: 'x' },
      { nickname: 'x'.repeat(21) },
      { nickname: '\u200b\u200b\u200b' },
      { nickname: 'a\u202Ebc' },
      { birthYear: year - 10 },
      { gender: 'ROBOT' },
    ]) {
      expect({ input, codes: codes(await call(user.accessToken, UPDATE, { input })) }).toEqual({
        input,
        codes: ['BAD_USER_INPUT'],
      });
    }
  });

  it('sets a photo from your own upload, shows it to the peer, and removes it from storage on reset', async () => {
    const { roomId, a, b } = await room(1);
    const uploadId = await uploadImage(api.url, a.accessToken);
    const photo = ok(await call(a.accessToken, SET_PHOTO, { id: uploadId })).setProfilePhoto.photo;
    const res = await fetchUrl(photo.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    const seenByPeer = ok(
      await call(b.accessToken, `query($id: ID!) { room(id: $id) { distanceKm peer { id age photo { ${IMAGE} } } } }`, {
        id: roomId,
      }),
    ).room;
    expect(seenByPeer.peer.photo).toMatchObject({ width: photo.width, height: photo.height });
    expect([1, 2]).toContain(seenByPeer.distanceKm); // 1 km apart, measured between grid cells

    expect(codes(await call(b.accessToken, SET_PHOTO, { id: uploadId }))).toEqual(['NOT_FOUND']);
    expect(
      ok(await call(a.accessToken, `mutation { removeProfilePhoto { photo { url } } }`)).removeProfilePhoto.photo,
    ).toBeNull();
    expect((await fetchUrl(photo.url)).status).toBe(404);
    expect(await queryDb(api.backend, 'SELECT id FROM uploads WHERE id = ?', [uploadId])).toEqual([]);
  });
});

describe('image messages', () => {
  it('delivers an image message live to the peer, whose URL works and cannot be forged', async () => {
    const { roomId, a, b } = await room(2);
    const client = wsClient(api.wsUrl, b.accessToken);
    const events = subscribeRoom(client, roomId, ROOM_EVENTS.replace('createdAt }', `createdAt image { ${IMAGE} } }`));
    try {
      await events.untilLive(() => new Chatter(a, api.graphqlUrl).typing(roomId));
      const imageId = await uploadImage(api.url, a.accessToken, await sampleJpeg(7));
      const sent = ok(
        await call(a.accessToken, SEND_IMAGE, { input: { roomId, imageId, clientMessageId: 'img-1' } }),
      ).sendMessage;
      expect(sent).toMatchObject({ seq: 1, body: '', image: { width: 64, height: 48 } });
      const live = await events.next((e) => e.type === 'MESSAGE');
      const liveImage = (live.message as unknown as { image: { url: string } | null }).image;
      expect(liveImage).toBeTruthy();
      expect((await fetchUrl(liveImage!.url)).status).toBe(200);
      const captioned = ok(
        await call(a.accessToken, SEND_IMAGE, { input: { roomId, imageId, body: ' look ', clientMessageId: 'img-2' } }),
      ).sendMessage;
      expect(captioned).toMatchObject({ seq: 2, body: 'look' });
      // A non-member never gets a URL: the room's messages are refused to them...
      const stranger = await signUpUser(api.graphqlUrl);
      expect(codes(await new Chatter(stranger, api.graphqlUrl).messages(roomId))).toEqual(['FORBIDDEN']);
      if (!s3) {
        // ...and cannot make one: the path alone, or a signature stretched to a later expiry, is refused.
        const signed = new URL(sent.image.url, api.url);
        expect((await fetch(new URL(signed.pathname, api.url))).status).toBe(403);
        const forged = new URL(signed);
        forged.searchParams.set('exp', String(Number(forged.searchParams.get('exp')) + 3600));
        expect((await fetch(forged)).status).toBe(403);
      }
    } finally {
      events.close();
      await client.dispose();
    }
  });

  it("refuses another user's upload, a missing upload and an empty message", async () => {
    const { roomId, a, b } = await room(3);
    const theirs = await uploadImage(api.url, b.accessToken);
    expect(
      codes(await call(a.accessToken, SEND_IMAGE, { input: { roomId, imageId: theirs, clientMessageId: 'x-1' } })),
    ).toEqual(['NOT_FOUND']);
    expect(
      codes(
        await call(a.accessToken, SEND_IMAGE, {
          input: { roomId, imageId: '00000000-0000-4000-8000-000000000000', clientMessageId: 'x-2' },
        }),
      ),
    ).toEqual(['NOT_FOUND']);
    expect(
      codes(await call(a.accessToken, SEND_IMAGE, { input: { roomId, body: '  ', clientMessageId: 'x-3' } })),
    ).toEqual(['BAD_USER_INPUT']);
    const stranger = await signUpUser(api.graphqlUrl);
    const mine = await uploadImage(api.url, stranger.accessToken);
    expect(
      codes(await call(stranger.accessToken, SEND_IMAGE, { input: { roomId, imageId: mine, clientMessageId: 'x-4' } })),
    ).toEqual(['FORBIDDEN']);
    expect(await queryDb(api.backend, 'SELECT id FROM messages WHERE room_id = ?', [roomId])).toEqual([]);
  });
});

describe('deleting an account', () => {
  it('erases the account, closes its rooms with ACCOUNT_DELETED and leaves the peer its history', async () => {
    const { roomId, a, b } = await room(4);
    const photoId = await uploadImage(api.url, a.accessToken);
    const photoUrl = ok(await call(a.accessToken, SET_PHOTO, { id: photoId })).setProfilePhoto.photo.url;
    const sentImage = await uploadImage(api.url, a.accessToken, await sampleJpeg(9));
    ok(await new Chatter(a, api.graphqlUrl).send(roomId, 'hello before I go'));
    ok(await call(a.accessToken, SEND_IMAGE, { input: { roomId, imageId: sentImage, clientMessageId: 'last-image' } }));
    const socket = await openAcked(api.wsUrl, a.accessToken);
    const peerClient = wsClient(api.wsUrl, b.accessToken);
    const peerEvents = subscribeRoom(peerClient, roomId);
    try {
      await peerEvents.untilLive(() => new Chatter(a, api.graphqlUrl).typing(roomId));
      expect(
        codes(
          await call(a.accessToken, 'mutation($p: String!) { deleteAccount(password: $p) }', { p: 'not my password' }),
        ),
      ).toEqual(['BAD_USER_INPUT']);
      expect(
        ok(await call(a.accessToken, 'mutation($p: String!) { deleteAccount(password: $p) }', { p: a.password }))
          .deleteAccount,
      ).toBe(true);

      expect(await socket.closed).toBe(4401);
      const left = await peerEvents.next((e) => e.type === 'PEER_LEFT');
      expect(left).toMatchObject({ userId: a.id });
      const [row] = await queryDb<Record<string, unknown>>(
        api.backend,
        'SELECT email, password_hash, photo_id, nickname, gender, birth_year, deleted_at FROM users WHERE id = ?',
        [a.id],
      );
      expect(row).toMatchObject({ email: null, password_hash: null, photo_id: null, gender: null, birth_year: null });
      expect(row!.deleted_at).not.toBeNull();
      expect(await queryDb(api.backend, 'SELECT id FROM uploads WHERE id = ?', [photoId])).toEqual([]);
      expect((await fetchUrl(photoUrl)).status).toBe(404);

      const view = ok(
        await call(
          b.accessToken,
          `query($id: ID!) { room(id: $id) { closed closedReason peer { nickname deleted photo { url } } } }`,
          { id: roomId },
        ),
      ).room;
      expect(view).toEqual({
        closed: true,
        closedReason: 'ACCOUNT_DELETED',
        peer: { nickname: 'Deleted user', deleted: true, photo: null },
      });
      const history = ok(await new Chatter(b, api.graphqlUrl).messagesAfter(roomId, 0)).messagesAfter;
      expect(history.map((m) => [m.body, m.sender.nickname])).toEqual([
        ['hello before I go', 'Deleted user'],
        ['', 'Deleted user'],
      ]);
      expect(codes(await new Chatter(b, api.graphqlUrl).send(roomId, 'are you there?'))).toEqual(['CONFLICT']);

      const login = `mutation($e: String!, $p: String!) { logIn(input: { email: $e, password: $p }) { accessToken } }`;
      expect(codes(await gql(api.graphqlUrl, login, { e: a.email, p: a.password }))).toEqual(['UNAUTHENTICATED']);
      expect(
        codes(
          await gql(api.graphqlUrl, 'mutation($t: String) { refreshToken(refreshToken: $t) { accessToken } }', {
            t: a.refreshToken,
          }),
        ),
      ).toEqual(['UNAUTHENTICATED']);
      ok(
        await gql(api.graphqlUrl, 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
          i: { email: a.email, password: 'a fresh start here', nickname: 'Again' },
        }),
      );
    } finally {
      peerEvents.close();
      await peerClient.dispose();
    }
  });
});
