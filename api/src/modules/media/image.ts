import sharp from 'sharp';
import { BadUserInputError } from '../../infra/graphql/errors';

/** The formats accepted, detected from the bytes (never from a file name or a client's MIME type). */
const ACCEPTED = new Set(['jpeg', 'png', 'webp']);

export interface ImageLimits {
  /** Larger inputs are refused before their pixels are decoded (decompression bombs). @default 40_000_000 */
  maxInputPixels?: number;
  /** The full image fits inside this square, never enlarged. @default 1600 */
  fullSize?: number;
  /** The thumbnail fits inside this square, never enlarged. @default 320 */
  thumbSize?: number;
}

export interface ImageRendition {
  data: Buffer;
  width: number;
  height: number;
}

export interface ProcessedImage {
  /** Both renditions are WebP. */
  contentType: 'image/webp';
  full: ImageRendition;
  thumb: ImageRendition;
}

const NOT_AN_IMAGE = 'expected a JPEG, PNG or WebP image';

/**
 * Validates an uploaded image and re-encodes it: format sniffed by content (JPEG, PNG or WebP
 * only), pixel count capped, oriented by its EXIF tag, every metadata block dropped (EXIF with GPS,
 * XMP, IPTC, ICC: sharp writes none unless asked), then two WebP renditions. Only the first frame
 * of an animation is kept. Throws BadUserInputError for anything it will not take.
 */
export async function processImage(input: Buffer, limits: ImageLimits = {}): Promise<ProcessedImage> {
  const { maxInputPixels = 40_000_000, fullSize = 1600, thumbSize = 320 } = limits;
  const options = { limitInputPixels: maxInputPixels, failOn: 'error' } as const;

  const tooLarge = () => new BadUserInputError(`images may have at most ${maxInputPixels} pixels`, 'file');
  let meta: sharp.Metadata;
  try {
    // Reads the header only: a bomb is refused here, before its pixels take any memory.
    meta = await sharp(input, options).metadata();
  } catch (err) {
    throw /pixel limit/i.test((err as Error).message) ? tooLarge() : new BadUserInputError(NOT_AN_IMAGE, 'file');
  }
  if (!ACCEPTED.has(meta.format)) throw new BadUserInputError(`${NOT_AN_IMAGE}, got ${meta.format}`, 'file');
  if (!meta.width || !meta.height || meta.width * meta.height > maxInputPixels) throw tooLarge();

  const oriented = sharp(input, options).autoOrient();
  const render = async (size: number, quality: number): Promise<ImageRendition> => {
    const { data, info } = await oriented
      .clone()
      .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
      .webp({ quality })
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  };
  try {
    const [full, thumb] = await Promise.all([render(fullSize, 82), render(thumbSize, 75)]);
    return { contentType: 'image/webp', full, thumb };
  } catch {
    // The header was fine but the pixel data is not (truncated or corrupt).
    throw new BadUserInputError(`${NOT_AN_IMAGE}; this one could not be decoded`, 'file');
  }
}
