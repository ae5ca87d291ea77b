import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { gpsJpeg, gpsTagsOf } from '../../../test/utils/gps-jpeg';
import { BadUserInputError } from '../../infra/graphql/errors';
import { processImage } from './image';

const solid = (width: number, height: number) => sharp({ create: { width, height, channels: 4, background: '#3a6' } });

/** A PNG whose header claims `width` x `height` with only a few bytes of pixel data behind it. */
function pngClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const signature = Buffer.from('89504e470d0a1a0a', 'hex');
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (err: unknown) => err,
  );

describe('processImage', () => {
  describe('accepted formats', () => {
    it.each([
      ['JPEG', () => solid(640, 480).jpeg().toBuffer()],
      ['PNG', () => solid(640, 480).png().toBuffer()],
      ['WebP', () => solid(640, 480).webp().toBuffer()],
    ])('re-encodes a %s as WebP renditions', async (_name, make) => {
      const out = await processImage(await make());
      expect(out.contentType).toBe('image/webp');
      expect(out.full).toMatchObject({ width: 640, height: 480 });
      expect(out.thumb).toMatchObject({ width: 320, height: 240 });
      for (const rendition of [out.full, out.thumb]) {
        const meta = await sharp(rendition.data).metadata();
        expect(meta).toMatchObject({ format: 'webp', width: rendition.width, height: rendition.height });
      }
    });
  });

  describe('sizes', () => {
    it('fits the full image inside 1600x1600 and the thumbnail inside 320x320, keeping the aspect ratio', async () => {
      const out = await processImage(await solid(4000, 1000).png().toBuffer());
      expect(out.full).toMatchObject({ width: 1600, height: 400 });
      expect(out.thumb).toMatchObject({ width: 320, height: 80 });
    });

    it('never enlarges a small image', async () => {
      const out = await processImage(await solid(100, 50).png().toBuffer());
      expect(out.full).toMatchObject({ width: 100, height: 50 });
      expect(out.thumb).toMatchObject({ width: 100, height: 50 });
    });
  });

  describe('metadata', () => {
    it('drops EXIF, including the GPS position, from both renditions', async () => {
      const input = await gpsJpeg(800, 600);
      const inputMeta = await sharp(input).metadata();
      expect(gpsTagsOf(inputMeta.exif)).toEqual(expect.arrayContaining([1, 2, 3, 4]));

      const out = await processImage(input);
      for (const rendition of [out.full, out.thumb]) {
        const meta = await sharp(rendition.data).metadata();
        expect(meta.exif).toBeUndefined();
        expect(meta.xmp).toBeUndefined();
        expect(meta.iptc).toBeUndefined();
        expect(meta.icc).toBeUndefined();
        expect(rendition.data.includes('TestCam')).toBe(false);
      }
    });

    it('applies the EXIF orientation to the pixels before dropping it', async () => {
      const out = await processImage(await gpsJpeg(200, 100, { orientation: 6 }));
      expect(out.full).toMatchObject({ width: 100, height: 200 });
      expect((await sharp(out.full.data).metadata()).orientation).toBeUndefined();
    });
  });

  describe('refusals', () => {
    it.each([
      ['a text file', () => Buffer.from('just some text, named photo.png')],
      ['an empty body', () => Buffer.alloc(0)],
      [
        'an SVG',
        () =>
          Buffer.from(
            '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
          ),
      ],
      ['a GIF', () => solid(10, 10).gif().toBuffer()],
      ['a TIFF', () => solid(10, 10).tiff().toBuffer()],
    ])('refuses %s with BadUserInputError', async (_name, make) => {
      const err = await refusal(processImage(await make()));
      expect(err).toBeInstanceOf(BadUserInputError);
      expect((err as BadUserInputError).message).toMatch(/expected a JPEG, PNG or WebP image/);
    });

    it('refuses a truncated JPEG whose header is intact', async () => {
      const jpeg = await solid(800, 600).jpeg().toBuffer();
      expect(await refusal(processImage(jpeg.subarray(0, Math.floor(jpeg.length / 2))))).toBeInstanceOf(
        BadUserInputError,
      );
    });

    it('refuses a decompression bomb from its header, before decoding it', async () => {
      const bomb = pngClaiming(50_000, 50_000);
      expect(bomb.length).toBeLessThan(200);
      const err = await refusal(processImage(bomb));
      expect(err).toBeInstanceOf(BadUserInputError);
      expect((err as Error).message).toMatch(/at most 40000000 pixels/);
    });

    it('honours a lower pixel limit', async () => {
      const err = await refusal(processImage(await solid(100, 100).png().toBuffer(), { maxInputPixels: 9_999 }));
      expect((err as Error).message).toMatch(/at most 9999 pixels/);
    });
  });
});
