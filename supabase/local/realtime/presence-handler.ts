/**
 * `presence` events (`PresenceHandler`): track / untrack with Supabase's per-client rate limit
 * (5 calls per 30 s by default; beyond it the channel is shut down), the lazy RLS write check on
 * private channels, and the presence_state a socket gets when tracking turns presence on.
 */
import type { Hub } from './hub.js';
import type { ChannelPort } from './ports.js';
import type { PhxMessage } from './serializer.js';

/** Presence bookkeeping of one channel, owned here; it goes away with the channel. */
interface PresenceState {
  /** JSON of the last tracked payload; a repeat is a no-op like Realtime's. */
  trackedPayload: string | undefined;
  window: { count: number; resetAt: number };
}

const states = new WeakMap<ChannelPort, PresenceState>();

function stateOf(channel: ChannelPort): PresenceState {
  let state = states.get(channel);
  if (!state) {
    state = { trackedPayload: undefined, window: { count: 0, resetAt: 0 } };
    states.set(channel, state);
  }
  return state;
}

function withinClientRate(channel: ChannelPort, hub: Hub): boolean {
  const { clientPresenceMaxCalls, clientPresenceWindowMs } = hub.options;
  const now = Date.now();
  const { window } = stateOf(channel);
  if (now > window.resetAt) {
    window.count = 1;
    window.resetAt = now + clientPresenceWindowMs;
    return true;
  }
  if (window.count >= clientPresenceMaxCalls) return false;
  window.count += 1;
  return true;
}

export async function handlePresence(channel: ChannelPort, hub: Hub, message: PhxMessage): Promise<void> {
  const event = message.payload['event'];
  if (typeof event !== 'string') {
    channel.reply(message, 'ok', {});
    return;
  }
  if (!withinClientRate(channel, hub)) {
    channel.shutdown('Client presence rate limit exceeded');
    return;
  }
  const state = stateOf(channel);
  switch (event.toLowerCase()) {
    case 'track': {
      if (channel.isPrivate) {
        await channel.ensurePresenceReadChecked();
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
      if (json === state.trackedPayload) {
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
      state.trackedPayload = json;
      const wasEnabled = channel.enablePresence();
      channel.reply(message, 'ok', {});
      // Tracking is what turned presence on: without the state, members tracked earlier stay invisible.
      if (!wasEnabled && channel.canReadPresence())
        channel.push('presence_state', hub.presenceOf(channel.roomKey).state());
      hub.presenceDiff(channel.roomKey, diff);
      return;
    }
    case 'untrack': {
      const diff = hub.presences.get(channel.roomKey)?.untrack(channel.id, channel.presenceKey);
      state.trackedPayload = undefined;
      channel.reply(message, 'ok', {});
      if (diff) hub.presenceDiff(channel.roomKey, diff);
      hub.dropPresenceIfEmpty(channel.roomKey);
      return;
    }
    default:
      channel.reply(message, 'error', {});
  }
}
