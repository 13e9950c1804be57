/**
 * Shared payloads (a room's presence_diff, a change's postgres_changes payload) are encoded once
 * and spliced into each socket's frame: the bytes must be exactly what JSON.stringify of the whole
 * message gives, for both serializers, whatever the refs and topic hold.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoomPresence } from '../../supabase/local/realtime/presence.js';
import { encodeMessage, sharedPayload, type PhxMessage } from '../../supabase/local/realtime/serializer.js';

const plainV2 = (m: PhxMessage) => JSON.stringify([m.joinRef, m.ref, m.topic, m.event, m.payload]);
const plainV1 = (m: PhxMessage) => JSON.stringify({ topic: m.topic, event: m.event, payload: m.payload, ref: m.ref });

describe('encoding a payload once for many sockets', () => {
  it('gives the same bytes as encoding each message whole, for vsn 1.0.0 and 2.0.0', () => {
    const payload = sharedPayload({ ids: [1, 2], data: { record: { body: 'é "quoted" \u2028 \\ </script>' } } });
    const messages: PhxMessage[] = [
      { joinRef: '1', ref: null, topic: 'realtime:room', event: 'postgres_changes', payload },
      { joinRef: null, ref: '7', topic: 'realtime:"odd" topic ✓', event: 'presence_diff', payload },
      { joinRef: 'x"y', ref: 'r\n', topic: 'realtime:t', event: 'e', payload: { not: 'shared' } },
    ];
    for (const message of messages) {
      assert.equal(encodeMessage('2.0.0', message), plainV2(message));
      assert.equal(encodeMessage('1.0.0', message), plainV1(message));
    }
  });

  it('freezes a shared payload, so what was encoded is what every recipient gets', () => {
    const diff = new RoomPresence().track(1, 'maria', { status: 'online' });
    assert.ok(Object.isFrozen(diff));
    assert.throws(() => {
      (diff as { joins: unknown }).joins = {};
    }, TypeError);
    const message: PhxMessage = {
      joinRef: '3',
      ref: null,
      topic: 'realtime:room',
      event: 'presence_diff',
      payload: diff as unknown as Record<string, unknown>,
    };
    assert.equal(encodeMessage('2.0.0', message), plainV2(message));
  });
});
