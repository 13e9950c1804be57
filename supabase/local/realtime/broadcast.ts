/**
 * Client broadcasts (`BroadcastHandler`): private channels check the RLS write policy once and
 * silently drop when denied (no reply even with ack); `self` decides whether the sender gets its
 * own message; `ack` answers with a `phx_reply`.
 */
import type { Hub } from './hub.js';
import type { ChannelPort } from './ports.js';
import type { UserBroadcast } from './serializer.js';

export type ClientBroadcast =
  { kind: 'json'; payload: Record<string, unknown> } | { kind: 'user'; broadcast: UserBroadcast };

function payloadBytes(message: ClientBroadcast): number {
  return message.kind === 'user'
    ? message.broadcast.payload.length
    : Buffer.byteLength(JSON.stringify(message.payload));
}

export async function handleClientBroadcast(
  channel: ChannelPort,
  hub: Hub,
  message: ClientBroadcast,
  push: { joinRef: string | null; ref: string | null },
): Promise<void> {
  if (channel.isPrivate) {
    const write = await channel.writePolicies();
    if (!write?.broadcastWrite || channel.closed) return;
  }
  if (payloadBytes(message) > hub.options.maxPayloadBytes) {
    if (channel.ackBroadcast) channel.reply(push, 'error', { error: 'payload_size_exceeded' });
    return;
  }
  const except = channel.selfBroadcast ? undefined : channel;
  if (message.kind === 'json') hub.broadcastJson(channel.roomKey, message.payload, except);
  else hub.broadcastUser(channel.roomKey, message.broadcast, except);
  if (channel.ackBroadcast) channel.reply(push, 'ok', {});
}
