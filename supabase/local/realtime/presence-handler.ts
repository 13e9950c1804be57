/**
 * `presence` events (`PresenceHandler`): track / untrack with Supabase's per-client rate limit
 * (5 calls per 30 s by default; beyond it the channel is shut down), the lazy RLS write check on
 * private channels, and the presence_state a socket gets when tracking turns presence on.
 */
import { readPolicies } from './authorization.js';
import type { Channel } from './channel.js';
import type { PhxMessage } from './serializer.js';

function withinClientRate(channel: Channel): boolean {
  const { clientPresenceMaxCalls, clientPresenceWindowMs } = channel.hub.options;
  const now = Date.now();
  const window = channel.presenceWindow;
  if (now > window.resetAt) {
    window.count = 1;
    window.resetAt = now + clientPresenceWindowMs;
    return true;
  }
  if (window.count >= clientPresenceMaxCalls) return false;
  window.count += 1;
  return true;
}

export async function handlePresence(channel: Channel, message: PhxMessage): Promise<void> {
  const event = message.payload['event'];
  if (typeof event !== 'string') {
    channel.reply(message, 'ok', {});
    return;
  }
  if (!withinClientRate(channel)) {
    channel.shutdown('Client presence rate limit exceeded');
    return;
  }
  const { hub } = channel;
  switch (event.toLowerCase()) {
    case 'track': {
      if (channel.isPrivate) {
        if (channel.read && channel.read.presenceRead === null) {
          channel.read = {
            ...channel.read,
            presenceRead: (await readPolicies(hub.ctx.pool, channel.authorizationContext(), true)).presenceRead,
          };
        }
        const write = await channel.writePolicies();
        if (channel.closed) return;
        if (!write?.presenceWrite) {
          channel.reply(message, 'error', {});
          return;
        }
      }
      const payload = message.payload['payload'] ?? {};
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        channel.reply(message, 'error', { reason: 'Presence track payload must be a map' });
        return;
      }
      const json = JSON.stringify(payload);
      if (json === channel.trackedPayload) {
        channel.reply(message, 'ok', {});
        return;
      }
      if (Buffer.byteLength(json) > hub.options.maxPayloadBytes) {
        channel.shutdown('Track message size exceeded');
        return;
      }
      const diff = hub
        .presenceOf(channel.roomKey)
        .track(channel.id, channel.presenceKey, payload as Record<string, unknown>);
      channel.trackedPayload = json;
      const wasEnabled = channel.presenceEnabled;
      channel.presenceEnabled = true;
      channel.reply(message, 'ok', {});
      // Tracking is what turned presence on: without the state, members tracked earlier stay invisible.
      if (!wasEnabled && channel.canReadPresence())
        channel.push('presence_state', hub.presenceOf(channel.roomKey).state());
      hub.presenceDiff(channel.roomKey, diff);
      return;
    }
    case 'untrack': {
      const diff = hub.presences.get(channel.roomKey)?.untrack(channel.id, channel.presenceKey);
      channel.trackedPayload = undefined;
      channel.reply(message, 'ok', {});
      if (diff) hub.presenceDiff(channel.roomKey, diff);
      hub.dropPresenceIfEmpty(channel.roomKey);
      return;
    }
    default:
      channel.reply(message, 'error', {});
  }
}
