import webpush from 'web-push';
import { readOrCreateFile } from './generated-file';

export interface VapidKeys {
  /** P-256 public point, URL-safe base64 (what browsers take as `applicationServerKey`). */
  publicKey: string;
  privateKey: string;
}

/** Embedded mode only: a Web Push (VAPID) key pair created once and kept under the data directory. */
export function loadOrCreateVapidKeys(dataDir: string): VapidKeys {
  const text = readOrCreateFile(dataDir, 'vapid-keys.json', () => JSON.stringify(webpush.generateVAPIDKeys()));
  const { publicKey, privateKey } = JSON.parse(text) as VapidKeys;
  return { publicKey, privateKey };
}
