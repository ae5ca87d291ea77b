/** Storage keys of an upload's renditions; the upload id (a random UUID) makes them unguessable. */
export const uploadKeys = (uploadId: string) => ({
  full: `u/${uploadId}/full.webp`,
  thumb: `u/${uploadId}/thumb.webp`,
});
