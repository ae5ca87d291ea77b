import { entities } from '../../registry';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { backendKind } from '../../../test/utils/backend';
import { queryDb } from '../../../test/utils/db-query';
import { gpsJpeg, gpsTagsOf } from '../../../test/utils/gps-jpeg';
import { startTestS3, type TestS3 } from '../../../test/utils/s3';
import { startTestServer, TEST_ENV, type TestServer } from '../../../test/utils/test-server';
import { signUpUser, type TestUser } from '../../../test/utils/users';
import { waitFor } from '../../../test/utils/wait-for';
import { loadConfig } from '../../config';
import { createOrm } from '../../infra/db/orm';
import { NotFoundError } from '../../infra/graphql/errors';

const UPLOADS_PER_HOUR = 3;
let api: TestServer;
/** The real backend keeps media in a fake S3 (s3rver), the embedded one on disk. */
let s3: TestS3 | undefined;

beforeAll(async () => {
  s3 = backendKind() === 'real' ? await startTestS3() : undefined;
  api = await startTestServer({ env: { UPLOADS_PER_HOUR: String(UPLOADS_PER_HOUR), ...s3?.env } });
});

afterAll(async () => {
  await api?.close();
  await s3?.close();
});

interface ErrorBody {
  errors: { message: string; extensions: { code: string } & Record<string, unknown> }[];
}

interface UploadRow {
  id: string;
  owner_id: string;
  full_key: string;
  thumb_key: string;
  content_type: string;
  width: number;
  height: number;
  bytes: number;
}

const form = (body: Buffer, filename: string, type: string, field = 'file') => {
  const data = new FormData();
  data.append(field, new Blob([body], { type }), filename);
  return data;
};

const post = (body: RequestInit['body'], authorization?: string) =>
  fetch(`${api.url}/uploads`, { method: 'POST', headers: authorization ? { authorization } : {}, body });

const upload = (user: TestUser, body: Buffer, filename = 'photo.jpg', type = 'image/jpeg') =>
  post(form(body, filename, type), `Bearer ${user.accessToken}`);

const codeOf = async (res: Response) => ((await res.json()) as ErrorBody).errors[0]!.extensions.code;

const rowsOf = (ownerId: string) =>
  queryDb<UploadRow>(api.backend, 'SELECT * FROM uploads WHERE owner_id = ?', [ownerId]);

const absolute = (url: string) => new URL(url, api.url).toString();

const smallPng = () =>
  sharp({ create: { width: 40, height: 30, channels: 3, background: '#48c' } })
    .png()
    .toBuffer();

describe('POST /uploads', () => {
  it('stores a phone JPEG as WebP renditions without any EXIF, fetched back through signed URLs', async () => {
    const user = await signUpUser(api.graphqlUrl);
    const input = await gpsJpeg(2400, 1800);
    expect(gpsTagsOf((await sharp(input).metadata()).exif)).toContain(2);

    const res = await upload(user, input);
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; width: number; height: number; contentType: string };
    expect(created).toEqual({ id: expect.any(String), width: 1600, height: 1200, contentType: 'image/webp' });

    const [row] = await rowsOf(user.id);
    expect(row).toMatchObject({
      id: created.id,
      owner_id: user.id,
      content_type: 'image/webp',
      width: 1600,
      height: 1200,
    });
    const view = await api.server.media.imageView({
      fullKey: row!.full_key,
      thumbKey: row!.thumb_key,
      width: row!.width,
      height: row!.height,
    });
    for (const [url, width, height] of [
      [view.url, 1600, 1200],
      [view.thumbnailUrl, 320, 240],
    ] as const) {
      const served = await fetch(absolute(url));
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('image/webp');
      const bytes = Buffer.from(await served.arrayBuffer());
      const meta = await sharp(bytes).metadata();
      expect(meta).toMatchObject({ format: 'webp', width, height });
      expect(meta.exif).toBeUndefined();
      expect(bytes.includes('TestCam')).toBe(false);
    }
    expect(Number(row!.bytes)).toBeGreaterThan(0);
  });

  it('refuses a text file named photo.png with 400 BAD_USER_INPUT and stores nothing', async () => {
    const user = await signUpUser(api.graphqlUrl);
    const res = await upload(user, Buffer.from('not an image at all\n'.repeat(50)), 'photo.png', 'image/png');
    expect(res.status).toBe(400);
    expect(await codeOf(res)).toBe('BAD_USER_INPUT');
    expect(await rowsOf(user.id)).toEqual([]);
  });

  it('refuses a form whose file is not in the field "file", and a body that is not multipart', async () => {
    const user = await signUpUser(api.graphqlUrl);
    const wrongField = await post(form(await smallPng(), 'a.png', 'image/png', 'photo'), `Bearer ${user.accessToken}`);
    expect([wrongField.status, await codeOf(wrongField)]).toEqual([400, 'BAD_USER_INPUT']);
    const json = await fetch(`${api.url}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect([json.status, await codeOf(json)]).toEqual([400, 'BAD_USER_INPUT']);
  });

  it('refuses a 6 MB file with 413 PAYLOAD_TOO_LARGE and keeps serving', async () => {
    const user = await signUpUser(api.graphqlUrl);
    const res = await upload(user, randomBytes(6 * 1024 * 1024), 'big.jpg');
    expect(res.status).toBe(413);
    const body = (await res.json()) as ErrorBody;
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', limitBytes: 5_242_880 });
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    expect((await upload(user, await smallPng(), 'small.png', 'image/png')).status).toBe(201);
  });

  it('refuses a 6 MB file streamed without a Content-Length as soon as it passes the cap', async () => {
    const user = await signUpUser(api.graphqlUrl);
    const boundary = `b${randomBytes(8).toString('hex')}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
    );
    const chunks = [
      head,
      ...Array.from({ length: 96 }, () => randomBytes(65_536)),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const res = await fetch(`${api.url}/uploads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${user.accessToken}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect([res.status, await codeOf(res)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  });

  it('answers 401 UNAUTHENTICATED without a valid access token', async () => {
    const user = await signUpUser(api.graphqlUrl);
    for (const authorization of [undefined, 'Bearer garbage', 'Basic dXNlcjpwYXNz', `Bearer ${user.accessToken}x`]) {
      const res = await post(form(await smallPng(), 'a.png', 'image/png'), authorization);
      expect([res.status, await codeOf(res)]).toEqual([401, 'UNAUTHENTICATED']);
    }
    expect(await rowsOf(user.id)).toEqual([]);
  });

  it(`rate-limits each user to UPLOADS_PER_HOUR (${UPLOADS_PER_HOUR}) with 429 RATE_LIMITED, before reading the body`, async () => {
    const [user, other] = await Promise.all([signUpUser(api.graphqlUrl), signUpUser(api.graphqlUrl)]);
    for (let i = 0; i < UPLOADS_PER_HOUR; i++)
      expect((await upload(user, await smallPng(), 'a.png', 'image/png')).status).toBe(201);
    const limited = await upload(user, Buffer.from('not even an image'), 'a.png', 'image/png');
    expect([limited.status, await codeOf(limited)]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await upload(other, await smallPng(), 'a.png', 'image/png')).status).toBe(201);
  });
});

describe('uploads and their signed media URLs', () => {
  const uploaded = async () => {
    const user = await signUpUser(api.graphqlUrl);
    expect((await upload(user, await smallPng(), 'a.png', 'image/png')).status).toBe(201);
    const [row] = await rowsOf(user.id);
    return {
      user,
      row: { id: row!.id, fullKey: row!.full_key, thumbKey: row!.thumb_key, width: row!.width, height: row!.height },
    };
  };

  // Disk URLs only: s3rver checks the expiry of presigned URLs but not their signature.
  (backendKind() === 'real' ? it.skip : it)(
    'refuses a media URL whose signature was tampered with (403 FORBIDDEN)',
    async () => {
      const { row } = await uploaded();
      const url = new URL(absolute((await api.server.media.imageView(row)).url));
      const sig = url.searchParams.get('sig')!;
      url.searchParams.set('sig', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
      const res = await fetch(url);
      expect([res.status, await codeOf(res)]).toEqual([403, 'FORBIDDEN']);
    },
  );

  it('refuses a media URL once it has expired', async () => {
    const { row } = await uploaded();
    const url = absolute((await api.server.media.imageView(row, 1)).url);
    await waitFor(async () => (await fetch(url)).status === 403, {
      timeoutMs: 5000,
      intervalMs: 200,
      message: 'the 1-second URL to be refused',
    });
  });

  it("finds a user's own upload and never another user's", async () => {
    const { user, row } = await uploaded();
    const stranger = await signUpUser(api.graphqlUrl);
    const orm = await createOrm(loadConfig({ ...TEST_ENV, ...api.backend.env }), entities);
    try {
      await expect(api.server.media.ownedUpload(orm.em.fork(), user.id, row.id)).resolves.toMatchObject({
        id: row.id,
        fullKey: row.fullKey,
      });
      await expect(api.server.media.ownedUpload(orm.em.fork(), stranger.id, row.id)).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(api.server.media.ownedUpload(orm.em.fork(), user.id, 'not-a-uuid')).rejects.toBeInstanceOf(
        NotFoundError,
      );
    } finally {
      await orm.close();
    }
  });

  it('deletes the row and the stored renditions', async () => {
    const { user, row } = await uploaded();
    const view = await api.server.media.imageView(row);
    const orm = await createOrm(loadConfig({ ...TEST_ENV, ...api.backend.env }), entities);
    try {
      const em = orm.em.fork();
      await api.server.media.deleteUpload(em, await api.server.media.ownedUpload(em, user.id, row.id));
    } finally {
      await orm.close();
    }
    expect(await rowsOf(user.id)).toEqual([]);
    expect([403, 404]).toContain((await fetch(absolute(view.url))).status);
  });
});
