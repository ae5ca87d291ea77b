import path from 'node:path';
import { ConfigError, loadConfig } from '../../config';

describe('media configuration', () => {
  it('defaults to disk storage under DATA_DIR/uploads, 1-hour root-relative URLs and 5 MiB uploads', () => {
    const { media } = loadConfig({ DATA_DIR: '/var/lib/randchat' });
    expect(media).toEqual({
      s3: undefined,
      dir: path.join('/var/lib/randchat', 'uploads'),
      baseUrl: '',
      urlTtlSeconds: 3600,
      signingSecret: undefined,
      uploadMaxBytes: 5_242_880,
      uploadsPerHour: 60,
      maxInputPixels: 40_000_000,
    });
  });

  it('switches to S3 when S3_BUCKET is set', () => {
    const { media } = loadConfig({
      S3_ENDPOINT: 'http://minio:9000',
      S3_BUCKET: 'randchat-media',
      S3_ACCESS_KEY_ID: 'AKIA',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_FORCE_PATH_STYLE: 'true',
      MEDIA_URL_TTL: '15m',
    });
    expect(media.s3).toEqual({
      endpoint: 'http://minio:9000',
      bucket: 'randchat-media',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
      forcePathStyle: true,
    });
    expect(media.urlTtlSeconds).toBe(900);
  });

  it.each([
    [{ S3_ENDPOINT: 'http://minio:9000' }, /^Invalid configuration: S3_BUCKET: required with S3_ENDPOINT$/],
    [{ S3_BUCKET: 'b-1', S3_ACCESS_KEY_ID: 'AKIA' }, /^Invalid configuration: S3_SECRET_ACCESS_KEY: /],
    [{ S3_BUCKET: 'Not_A_Bucket' }, /^Invalid configuration: S3_BUCKET: /],
    [{ MEDIA_URL_TTL: '8d' }, /^Invalid configuration: MEDIA_URL_TTL: must be between 1s and 7d$/],
    [{ MEDIA_SIGNING_SECRET: 'short' }, /^Invalid configuration: MEDIA_SIGNING_SECRET: /],
    [{ UPLOAD_MAX_BYTES: '100' }, /^Invalid configuration: UPLOAD_MAX_BYTES: /],
  ])('rejects %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
