import sharp from 'sharp';

/** A camera-like JPEG: EXIF with a make and a GPS position (37°46'30"N 122°25'W), as phones write them. */
export function gpsJpeg(width: number, height: number, extra: sharp.WriteableMetadata = {}): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#c83' } })
    .jpeg()
    .withMetadata(extra)
    .withExif({
      IFD0: { Make: 'TestCam' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '37/1 46/1 3000/100',
        GPSLongitudeRef: 'W',
        GPSLongitude: '122/1 25/1 0/1',
      },
    })
    .toBuffer();
}

/**
 * The tags of the GPS directory in a raw EXIF block (sharp's `metadata().exif`): [] when there is
 * none. Reads the TIFF structure: IFD0's GPSInfo pointer (tag 0x8825), then that directory.
 */
export function gpsTagsOf(exif: Buffer | undefined): number[] {
  if (!exif) return [];
  const tiff = exif.subarray(exif.toString('latin1', 0, 6) === 'Exif\0\0' ? 6 : 0);
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const entries = (ifd: number) =>
    Array.from({ length: u16(ifd) }, (_, i) => ({ tag: u16(ifd + 2 + i * 12), value: u32(ifd + 10 + i * 12) }));
  const pointer = entries(u32(4)).find((e) => e.tag === 0x8825);
  return pointer ? entries(pointer.value).map((e) => e.tag) : [];
}
