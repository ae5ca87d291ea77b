import DataLoader from 'dataloader';
import type { Em } from '../../infra/db/orm';
import { Upload } from './upload.entity';

const loaders = new WeakMap<Em, DataLoader<string, Upload | null>>();

/**
 * Uploads by id, batched per request (one SELECT for every photo in a response, e.g. the peers of
 * a page of rooms). Keyed by the request's EntityManager, so it lives and dies with the request.
 */
export function uploadLoader(em: Em): DataLoader<string, Upload | null> {
  let loader = loaders.get(em);
  if (!loader) {
    loader = new DataLoader(async (ids: readonly string[]) => {
      const rows = await em.find(Upload, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((u) => [u.id, u]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    loaders.set(em, loader);
  }
  return loader;
}
