import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decrypt } from 'http_ece';

/** One POST a push service received. */
export interface PushRequest {
  /** The device (the endpoint's last path segment). */
  device: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A browser's device as the API sees it: an endpoint at the test push service and the keys of
 * RFC 8291 (a P-256 key pair and a 16-byte auth secret), with the decryption the browser does.
 */
export class TestDevice {
  readonly ecdh: ECDH = createECDH('prime256v1');
  readonly authSecret = randomBytes(16);

  constructor(
    readonly id: string,
    readonly endpoint: string,
  ) {
    this.ecdh.generateKeys();
  }

  /** The registerPushSubscription input, as PushSubscription.toJSON() gives it. */
  input(deviceLabel = 'Phone', previews = false) {
    return {
      endpoint: this.endpoint,
      keys: { p256dh: this.ecdh.getPublicKey('base64url'), auth: this.authSecret.toString('base64url') },
      deviceLabel,
      previews,
    };
  }

  /** The payload of a push to this device, decrypted (aes128gcm) and parsed. */
  open(request: PushRequest): Record<string, unknown> {
    const plain = decrypt(request.body, { version: 'aes128gcm', privateKey: this.ecdh, authSecret: this.authSecret });
    return JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
  }
}

/**
 * A local push service on 127.0.0.1 (the API accepts http endpoints on loopback outside
 * production): it keeps every POST and answers 201, or the status set for a device.
 */
export class TestPushService {
  readonly requests: PushRequest[] = [];
  private readonly statuses = new Map<string, number>();
  /** Devices whose pushes get no answer until `release`, and the answers held back. */
  private readonly held = new Map<string, (() => void)[]>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<TestPushService> {
    const holder: { service?: TestPushService } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const device = (req.url ?? '').split('/').pop() ?? '';
        const service = holder.service!;
        service.requests.push({ device, headers: req.headers, body: Buffer.concat(chunks) });
        const answer = () => void res.writeHead(service.statuses.get(device) ?? 201).end();
        const held = service.held.get(device);
        if (held) held.push(answer);
        else answer();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.service = new TestPushService(server, `http://127.0.0.1:${port}`);
    return holder.service;
  }

  /** A new device; the service answers `status` to pushes for it, or (`hold`) not until `release`. */
  device(status = 201, { hold = false } = {}): TestDevice {
    const id = randomBytes(8).toString('hex');
    this.statuses.set(id, status);
    if (hold) this.held.set(id, []);
    return new TestDevice(id, `${this.url}/push/${id}`);
  }

  /** Answers the pushes held for `device`, and the next ones at once. */
  release(device: TestDevice): void {
    const answers = this.held.get(device.id) ?? [];
    this.held.delete(device.id);
    for (const answer of answers) answer();
  }

  /** The pushes that reached `device` so far. */
  to(device: TestDevice): PushRequest[] {
    return this.requests.filter((r) => r.device === device.id);
  }

  close(): Promise<void> {
    for (const answers of this.held.values()) for (const answer of answers) answer();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
