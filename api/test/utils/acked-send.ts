import type { Chatter, ChatMessage } from './chatter';
import { newClientMessageId } from './chatter';

/**
 * Sends like a client that keeps its unacknowledged message: on any failure (an error, a 502 from
 * the load balancer, a refused connection) it retries with the same clientMessageId until the
 * server acknowledges, so a message is stored at most once. Gives up after `timeoutMs`.
 */
export async function sendAcked(
  who: Chatter,
  roomId: string,
  body: string,
  options: { timeoutMs?: number; intervalMs?: number; clientMessageId?: string } = {},
): Promise<{ message: ChatMessage; attempts: number }> {
  const { timeoutMs = 20_000, intervalMs = 100, clientMessageId = newClientMessageId() } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let attempts = 1; ; attempts++) {
    try {
      const res = await who.send(roomId, body, clientMessageId);
      if (res.data?.sendMessage) return { message: res.data.sendMessage, attempts };
      last = res.errors;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    if (Date.now() >= deadline)
      throw new Error(`sendAcked: "${body}" not acknowledged within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
