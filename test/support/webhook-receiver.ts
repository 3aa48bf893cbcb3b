// A local alert-webhook receiver (node:http) that checks each delivery the way
// docs/relay.md tells a receiver to: HMAC-SHA256 over "<t>.<raw body>" with the
// shared secret, compared in constant time, timestamp within 5 minutes. It can
// fail the first N deliveries (HTTP 503) and be stopped and started again on
// the same port, like a receiver that was down.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';

export interface Delivery {
  id: string;
  type: string;
  attempt: number;
  status: number;
  signatureOk: boolean;
  body: Record<string, unknown>;
}

export function verifyPorchlightSignature(secret: string, header: string | undefined, rawBody: string, nowMs = Date.now()): boolean {
  const fields = Object.fromEntries((header ?? '').split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(fields.t);
  if (!Number.isInteger(t) || Math.abs(nowMs / 1000 - t) > 300 || !/^[0-9a-f]{64}$/.test(fields.v1 ?? '')) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return timingSafeEqual(Buffer.from(fields.v1!, 'hex'), expected);
}

export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  private server: Server | undefined;
  port = 0;

  constructor(
    private readonly secret: string,
    private failFirst: number,
  ) {}

  /** Deliveries answered 2xx, in the order they came. */
  accepted(): Delivery[] {
    return this.deliveries.filter((d) => d.status === 204);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const signatureOk = req.method === 'POST' && req.url === '/hooks/porchlight' && verifyPorchlightSignature(this.secret, req.headers['x-porchlight-signature'] as string | undefined, raw);
        const status = !signatureOk ? 401 : this.failFirst > 0 ? 503 : 204;
        if (signatureOk && this.failFirst > 0) this.failFirst -= 1;
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          // Recorded with signatureOk false.
        }
        this.deliveries.push({ id: String(req.headers['x-porchlight-delivery']), type: String(req.headers['x-porchlight-event']), attempt: Number(req.headers['x-porchlight-attempt']), status, signatureOk, body });
        res.writeHead(status).end();
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
    this.port = (server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
