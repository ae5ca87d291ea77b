import sharp from 'sharp';

/** A small JPEG made on the spot (`seed` varies its colour). */
export const sampleJpeg = (seed = 0): Promise<Buffer> =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r: seed % 256, g: 120, b: 200 } } })
    .jpeg()
    .toBuffer();

/** Uploads an image through `POST /uploads` as the web app does; resolves with the upload id. */
export async function uploadImage(apiUrl: string, accessToken: string, image?: Buffer): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([image ?? (await sampleJpeg())], { type: 'image/jpeg' }), 'photo.jpg');
  const res = await fetch(`${apiUrl}/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}` },
    body: form,
  });
  const body = (await res.json()) as { id?: string; errors?: unknown };
  if (res.status !== 201 || !body.id) throw new Error(`upload failed with ${res.status}: ${JSON.stringify(body)}`);
  return body.id;
}
