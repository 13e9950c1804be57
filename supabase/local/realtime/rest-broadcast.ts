/**
 * Realtime's REST broadcast API under `/realtime/v1/api`: the batch endpoint that `send()` falls
 * back to, and the single-event endpoint of `channel.httpSend()`. Private messages need the
 * caller to pass the RLS write check for the topic (service_role bypasses RLS like in Supabase).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { effectiveToken } from '../keys.js';
import { writePolicies } from './authorization.js';
import { roomKey, type Hub } from './hub.js';
import { checkToken } from './tokens.js';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, x-client-info, apikey, content-type, x-supabase-api-version',
  'access-control-allow-methods': 'POST, OPTIONS',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(JSON.stringify(body));
  }
}

function send(res: ServerResponse, status: number, body?: Record<string, unknown>): void {
  if (body === undefined) {
    res.writeHead(status, CORS);
    res.end();
    return;
  }
  res.writeHead(status, { ...CORS, 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, { message: 'Payload too large' });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** AuthTenant plug: `Authorization: Bearer` else `apikey`, verified, with role and exp. */
async function authenticate(hub: Hub, req: IncomingMessage) {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const token = effectiveToken(header('apikey'), header('authorization'));
  const result = token ? await checkToken(token) : undefined;
  if (!result || 'failure' in result) {
    hub.ctx.metrics.authFailures.inc({ service: 'realtime' });
    throw new HttpError(401, { message: 'Unauthorized' });
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
  return { claims: result.claims, headers };
}

async function mayWrite(hub: Hub, topic: string, auth: Awaited<ReturnType<typeof authenticate>>): Promise<boolean> {
  const policies = await writePolicies(hub.ctx.pool, { topic, claims: auth.claims, headers: auth.headers });
  return policies.broadcastWrite;
}

interface BatchMessage {
  topic: string;
  event: string;
  payload: Record<string, unknown>;
  private: boolean;
  id?: string;
}

function validateBatch(body: unknown): BatchMessage[] {
  const messages = (body as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages) || messages.length === 0)
    throw new HttpError(422, { errors: { messages: ["can't be blank"] } });
  return messages.map((message: unknown, index) => {
    const m = message as Record<string, unknown> | null;
    const errors: Record<string, string[]> = {};
    if (!m || typeof m !== 'object')
      throw new HttpError(422, { errors: { messages: [`message ${index} is invalid`] } });
    if (typeof m['topic'] !== 'string' || m['topic'] === '') errors['topic'] = ["can't be blank"];
    if (typeof m['event'] !== 'string' || m['event'] === '') errors['event'] = ["can't be blank"];
    if (typeof m['payload'] !== 'object' || m['payload'] === null || Array.isArray(m['payload']))
      errors['payload'] = ["can't be blank"];
    if (Object.keys(errors).length > 0) throw new HttpError(422, { errors: { messages: [errors] } });
    return {
      topic: m['topic'] as string,
      event: m['event'] as string,
      payload: m['payload'] as Record<string, unknown>,
      private: m['private'] === true || m['private'] === 'true',
      id: typeof m['id'] === 'string' ? m['id'] : undefined,
    };
  });
}

export function createRestBroadcastHandler(hub: Hub) {
  return async function handleHttp(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      if (req.method === 'OPTIONS') return send(res, 204);
      if (path.startsWith('/api/tenants') || path.startsWith('/api/openapi'))
        throw new HttpError(403, { message: 'Forbidden' });
      const single = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)\/?$/.exec(path);
      const batch = /^\/api\/broadcast\/?$/.test(path);
      if (!single && !batch) throw new HttpError(404, { message: 'Not Found' });
      if (req.method !== 'POST') throw new HttpError(405, { message: 'Method Not Allowed' });
      const auth = await authenticate(hub, req);
      const raw = await readBody(req, hub.options.maxPayloadBytes);

      if (batch) {
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new HttpError(400, { message: 'Invalid JSON body' });
        }
        for (const message of validateBatch(body)) {
          hub.ctx.metrics.messagesIn.inc({ kind: 'rest_broadcast' });
          // Private messages the caller may not write are skipped silently; the answer stays 202.
          if (message.private && !(await mayWrite(hub, message.topic, auth))) continue;
          const payload: Record<string, unknown> = {
            payload: message.payload,
            event: message.event,
            type: 'broadcast',
          };
          if (message.id) payload['meta'] = { id: message.id };
          hub.broadcastJson(roomKey(message.private, message.topic), payload);
        }
        return send(res, 202);
      }

      const topic = decodeURIComponent(single![1]!);
      const event = decodeURIComponent(single![2]!);
      const query = new URL(req.url ?? '/', 'http://local').searchParams;
      const isPrivate = query.get('private') === 'true';
      const binary = (req.headers['content-type'] ?? '').startsWith('application/octet-stream');
      if (!binary) {
        try {
          JSON.parse(raw.toString('utf8'));
        } catch {
          throw new HttpError(400, { message: 'Invalid JSON body' });
        }
      }
      hub.ctx.metrics.messagesIn.inc({ kind: 'rest_broadcast' });
      if (isPrivate && !(await mayWrite(hub, topic, auth))) throw new HttpError(403, { message: 'Unauthorized' });
      hub.broadcastUser(roomKey(isPrivate, topic), {
        userEvent: event,
        encoding: binary ? 'binary' : 'json',
        payload: raw,
      });
      return send(res, 202);
    } catch (error) {
      if (error instanceof HttpError) return send(res, error.status, error.body);
      hub.ctx.metrics.errors.inc({ service: 'realtime' });
      console.error('[realtime] REST broadcast failed:', error);
      return send(res, 500, { message: 'Internal server error' });
    }
  };
}
