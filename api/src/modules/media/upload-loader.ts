import DataLoader from 'dataloader';
import type { Em } from '../../infra/db/orm';
import { Upload } from './upload.entity';

const loaders = new WeakMap<Em, DataLoader<string, Upload | null>>();

/**
 * Uploads by id, batched per request (one SELECT for every photo in a response, e.g. the peers of
 * a page of rooms). Keyed by the request's EntityManager, so it lives and dies with the request.
 * Read from a replica; every id comes from a row that references the upload, so one the replica
 * lacks was just uploaded (the replica is behind) and is read from the primary.
 */
export function uploadLoader(em: Em): DataLoader<string, Upload | null> {
  let loader = loaders.get(em);
  if (!loader) {
    loader = new DataLoader(async (ids: readonly string[]) => {
      const rows = await em.find(Upload, { id: { $in: [...ids] } }, { connectionType: 'read' });
      const missing = ids.filter((id) => !rows.some((u) => u.id === id));
      if (missing.length > 0) rows.push(...(await em.find(Upload, { id: { $in: missing } })));
      const byId = new Map(rows.map((u) => [u.id, u]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    loaders.set(em, loader);
  }
  return loader;
}
