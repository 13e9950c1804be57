/**
 * The pure pieces of the local Realtime: wire serializers (vsn 1 and 2, binary kinds 3 and 4, checked
 * against realtime-js' own serializer), Postgres Changes filter parsing, and presence diffs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Serializer from '@supabase/realtime-js/dist/main/lib/serializer.js';
import {
  cannotMatch,
  describeSubscription,
  parseFilter,
  parseSubscriptionParams,
  subscriptionId,
} from '../../supabase/local/realtime/filters.js';
import { splitTopLevel } from '../../supabase/local/postgrest-syntax.js';
import { RoomPresence } from '../../supabase/local/realtime/presence.js';
import {
  decodeFrame,
  encodeMessage,
  encodeUserBroadcast,
  encodeUserBroadcastPush,
  negotiateVsn,
  ProtocolError,
} from '../../supabase/local/realtime/serializer.js';

const clientSerializer = new (Serializer as unknown as { default: new () => ClientSerializer }).default();
interface ClientSerializer {
  encode(message: Record<string, unknown>, callback: (encoded: string | ArrayBuffer) => void): void;
  decode(raw: string | ArrayBuffer, callback: (decoded: Record<string, unknown>) => void): void;
}

function clientEncode(message: Record<string, unknown>): string | ArrayBuffer {
  let out: string | ArrayBuffer = '';
  clientSerializer.encode(message, (encoded) => (out = encoded));
  return out;
}

function clientDecode(raw: string | ArrayBuffer): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  clientSerializer.decode(raw, (decoded) => (out = decoded));
  return out;
}

describe('realtime serializer', () => {
  it('negotiates vsn like Phoenix: absent means 1.0.0, ~> 1.0.0 and ~> 2.0.0 only', () => {
    assert.equal(negotiateVsn(null), '1.0.0');
    assert.equal(negotiateVsn('1.0.0'), '1.0.0');
    assert.equal(negotiateVsn('2.0.0'), '2.0.0');
    assert.equal(negotiateVsn('2.0.7'), '2.0.0');
    assert.equal(negotiateVsn('3.0.0'), undefined);
    assert.equal(negotiateVsn('latest'), undefined);
  });

  it('decodes the JSON array realtime-js sends with vsn 2.0.0', () => {
    const text = clientEncode({
      join_ref: '6',
      ref: '6',
      topic: 'realtime:room1',
      event: 'phx_join',
      payload: { config: {} },
    }) as string;
    const decoded = decodeFrame('2.0.0', Buffer.from(text), false);
    assert.deepEqual(decoded, {
      kind: 'message',
      message: { joinRef: '6', ref: '6', topic: 'realtime:room1', event: 'phx_join', payload: { config: {} } },
    });
  });

  it('decodes the binary kind 3 user broadcast realtime-js writes (JSON and binary payloads, UTF-8 names)', () => {
    const json = clientEncode({
      join_ref: '6',
      ref: '7',
      topic: 'realtime:sala-ñ',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'évent', payload: { a: 1 } },
    });
    const decoded = decodeFrame('2.0.0', Buffer.from(json as ArrayBuffer), true);
    assert.equal(decoded.kind, 'user_broadcast');
    if (decoded.kind !== 'user_broadcast') return;
    assert.equal(decoded.push.topic, 'realtime:sala-ñ');
    assert.equal(decoded.push.userEvent, 'évent');
    assert.equal(decoded.push.encoding, 'json');
    assert.equal(decoded.push.joinRef, '6');
    assert.equal(decoded.push.ref, '7');
    assert.deepEqual(JSON.parse(decoded.push.payload.toString()), { a: 1 });

    const binary = clientEncode({
      join_ref: '6',
      ref: '8',
      topic: 'realtime:room1',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'ev2', payload: new Uint8Array([1, 2, 3]).buffer },
    });
    const decodedBinary = decodeFrame('2.0.0', Buffer.from(binary as ArrayBuffer), true);
    assert.ok(decodedBinary.kind === 'user_broadcast');
    if (decodedBinary.kind === 'user_broadcast') assert.deepEqual([...decodedBinary.push.payload], [1, 2, 3]);
  });

  it('encodes kind 4 frames that realtime-js decodes, metadata included', () => {
    const frame = encodeUserBroadcast('2.0.0', 'realtime:conversation:1', {
      userEvent: 'message',
      encoding: 'json',
      payload: Buffer.from('{"id":"x","record":{"body":"¡hola!"}}'),
      metadata: { id: 'x' },
    });
    assert.ok(Buffer.isBuffer(frame));
    const bytes = frame as Buffer;
    const decoded = clientDecode(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
    assert.deepEqual(decoded, {
      join_ref: null,
      ref: null,
      topic: 'realtime:conversation:1',
      event: 'broadcast',
      payload: {
        type: 'broadcast',
        event: 'message',
        payload: { id: 'x', record: { body: '¡hola!' } },
        meta: { id: 'x' },
      },
    });
  });

  it('turns user broadcasts into JSON for vsn 1 sockets and drops binary ones', () => {
    const json = encodeUserBroadcast('1.0.0', 'realtime:r', {
      userEvent: 'e',
      encoding: 'json',
      payload: Buffer.from('{"a":1}'),
      metadata: { id: 'i' },
    });
    assert.deepEqual(JSON.parse(json as string), {
      topic: 'realtime:r',
      event: 'broadcast',
      payload: { event: 'e', payload: { a: 1 }, type: 'broadcast', meta: { id: 'i' } },
      ref: null,
    });
    assert.equal(
      encodeUserBroadcast('1.0.0', 'realtime:r', { userEvent: 'e', encoding: 'binary', payload: Buffer.from([1]) }),
      undefined,
    );
  });

  it('writes vsn 1 objects without join_ref and vsn 2 arrays with it', () => {
    const message = { joinRef: '1', ref: '2', topic: 't', event: 'phx_reply', payload: { status: 'ok', response: {} } };
    assert.deepEqual(JSON.parse(encodeMessage('1.0.0', message)), {
      topic: 't',
      event: 'phx_reply',
      payload: { status: 'ok', response: {} },
      ref: '2',
    });
    assert.deepEqual(JSON.parse(encodeMessage('2.0.0', message)), [
      '1',
      '2',
      't',
      'phx_reply',
      { status: 'ok', response: {} },
    ]);
  });

  const malformed: [string, Buffer, boolean, '1.0.0' | '2.0.0'][] = [
    ['garbage text', Buffer.from('not json at all'), false, '2.0.0'],
    ['an object under vsn 2', Buffer.from('{"topic":"x"}'), false, '2.0.0'],
    ['a short array', Buffer.from('[null,"1","phoenix","heartbeat"]'), false, '2.0.0'],
    ['a numeric topic', Buffer.from('[null,"1",5,"heartbeat",{}]'), false, '2.0.0'],
    ['a non-object payload', Buffer.from('[null,"1","phoenix","heartbeat",[]]'), false, '2.0.0'],
    ['an array under vsn 1', Buffer.from('[null,"1","phoenix","heartbeat",{}]'), false, '1.0.0'],
    [
      'binary under vsn 1',
      encodeUserBroadcastPush({
        joinRef: '1',
        ref: '2',
        topic: 't',
        userEvent: 'e',
        encoding: 'json',
        payload: Buffer.from('{}'),
      }),
      true,
      '1.0.0',
    ],
    ['binary kind 4 from a client', Buffer.from([4, 1, 1, 0, 1, 0x74, 0x65]), true, '2.0.0'],
    ['binary kind 0', Buffer.from([0, 0, 0, 0, 0, 0, 1]), true, '2.0.0'],
    ['a truncated kind 3 header', Buffer.from([3, 200, 200, 200, 200, 0, 1, 1]), true, '2.0.0'],
    ['an unknown payload encoding', Buffer.from([3, 0, 0, 0, 0, 0, 9]), true, '2.0.0'],
    ['metadata that is not JSON', Buffer.from([3, 0, 0, 0, 0, 2, 1, 0x7b, 0x7b]), true, '2.0.0'],
  ];
  for (const [name, data, isBinary, vsn] of malformed) {
    it(`rejects ${name}`, () => {
      assert.throws(() => decodeFrame(vsn, data, isBinary), ProtocolError);
    });
  }
});

describe('postgres changes filters', () => {
  it('parses the operators of the protocol with not. and quoted values', () => {
    assert.deepEqual(parseFilter('conversation_id=eq.4f1c'), [
      { column: 'conversation_id', operator: 'eq', negated: false, value: '4f1c' },
    ]);
    assert.deepEqual(parseFilter('n=not.gte.5'), [{ column: 'n', operator: 'gte', negated: true, value: '5' }]);
    assert.deepEqual(parseFilter('title=eq."a,b \\"c\\""'), [
      { column: 'title', operator: 'eq', negated: false, value: 'a,b "c"' },
    ]);
    for (const operator of ['neq', 'lt', 'lte', 'gt'])
      assert.equal(parseFilter(`x=${operator}.1`)[0]!.operator, operator);
  });

  it('parses in lists, with quoted commas', () => {
    assert.deepEqual(parseFilter('kind=in.(direct,"gr,oup",meeting)')[0]!.value, ['direct', 'gr,oup', 'meeting']);
    assert.deepEqual(splitTopLevel('a=eq.1,b=in.(1,2),c=eq."x,y"'), ['a=eq.1', 'b=in.(1,2)', 'c=eq."x,y"']);
    assert.equal(parseFilter('a=eq.1,b=in.(1,2)').length, 2);
  });

  it('treats a blank filter as none and refuses unknown operators', () => {
    assert.deepEqual(parseFilter(''), []);
    assert.deepEqual(parseFilter(undefined), []);
    assert.throws(() => parseFilter('a=equals.1'), /Error parsing `filter` params/);
    assert.throws(() => parseFilter('nonsense'), /Error parsing `filter` params/);
    assert.throws(() => parseFilter('a=in.1,2'), /Error parsing `filter` params/);
    assert.throws(() => parseFilter('a=is.maybe'), /Error parsing `filter` params/);
  });

  it('normalises event and schema like Realtime and describes subscriptions in its words', () => {
    const params = parseSubscriptionParams({ event: 'insert', table: 'messages', filter: 'conversation_id=eq.1' });
    assert.equal(params.event, 'INSERT');
    assert.equal(params.schema, 'public');
    assert.equal(parseSubscriptionParams({ event: 'whatever', schema: 'public' }).event, '*');
    assert.equal(
      describeSubscription(params),
      '[event: INSERT, schema: public, table: messages, filters: [{"conversation_id", "eq", "1"}], select: nil]',
    );
  });

  it('gives equal params the same id and different params different ids', () => {
    const a = subscriptionId({ event: 'INSERT', schema: 'public', table: 'messages' });
    assert.equal(a, subscriptionId({ table: 'messages', schema: 'public', event: 'INSERT' }));
    assert.notEqual(a, subscriptionId({ event: 'INSERT', schema: 'public', table: 'messages', filter: 'id=eq.1' }));
    assert.ok(Number.isInteger(a) && a >= 0 && a < 2 ** 27);
  });
});

describe('room presence', () => {
  it('joins, updates with phx_ref_prev and leaves like Phoenix.Presence', () => {
    const room = new RoomPresence();
    const join = room.track(1, 'u1', { name: 'one' });
    const firstMeta = join.joins['u1']!.metas[0]!;
    assert.equal(firstMeta['name'], 'one');
    assert.match(firstMeta.phx_ref, /^[A-Za-z0-9_-]{16}$/);
    assert.deepEqual(join.leaves, {});

    const update = room.track(1, 'u1', { name: 'one-upd' });
    assert.equal(update.joins['u1']!.metas[0]!.phx_ref_prev, firstMeta.phx_ref);
    assert.deepEqual(update.leaves['u1']!.metas, [firstMeta]);
    assert.deepEqual(Object.keys(room.state()), ['u1']);
    assert.equal(room.state()['u1']!.metas.length, 1);

    room.track(2, 'u1', { name: 'second tab' });
    assert.equal(room.state()['u1']!.metas.length, 2, 'two trackers under one key');

    const leave = room.untrack(1, 'u1');
    assert.equal(leave!.leaves['u1']!.metas[0]!['name'], 'one-upd');
    assert.equal(room.untrack(1, 'u1'), undefined, 'untracking twice is a no-op');
    room.untrack(2, 'u1');
    assert.equal(room.size, 0);
  });
});

describe('postgres changes certain non-matches', () => {
  const [eq] = parseFilter('conversation_id=eq.0B6F2E1A-1C2D-4E5F-8A9B-0C1D2E3F4A5B');
  const uuid = 2950;

  it('compares uuids in any input form PostgreSQL accepts', () => {
    assert.equal(cannotMatch(eq!, '0b6f2e1a-1c2d-4e5f-8a9b-0c1d2e3f4a5b', uuid), false);
    assert.equal(cannotMatch(eq!, '{0b6f2e1a1c2d4e5f8a9b0c1d2e3f4a5b}', uuid), false);
    assert.equal(cannotMatch(eq!, '1b6f2e1a-1c2d-4e5f-8a9b-0c1d2e3f4a5b', uuid), true);
  });

  it('answers "maybe" (false) whenever the value cannot be normalized', () => {
    const [bad] = parseFilter('conversation_id=eq.not-a-uuid');
    assert.equal(cannotMatch(bad!, '1b6f2e1a-1c2d-4e5f-8a9b-0c1d2e3f4a5b', uuid), false);
    assert.equal(cannotMatch(eq!, undefined, uuid), false, 'unchanged TOAST value');
    const [numeric] = parseFilter('price=eq.1.0');
    assert.equal(cannotMatch(numeric!, '1', 1700), false, 'numeric is left to SQL');
    const [eq1] = parseFilter('n=eq.1.0');
    assert.equal(cannotMatch(eq1!, '2', 23), false, '1.0 is no integer literal');
  });

  it('is never certain for other operators or negations', () => {
    for (const filter of ['n=neq.1', 'n=lt.1', 'n=in.(1,2)', 'n=not.eq.1'])
      assert.equal(cannotMatch(parseFilter(filter)[0]!, '5', 23), false, filter);
  });

  it('compares text exactly and integers by value; NULL never equals', () => {
    const [text] = parseFilter('room=eq.Lobby');
    assert.equal(cannotMatch(text!, 'lobby', 25), true);
    assert.equal(cannotMatch(text!, 'Lobby', 1043), false);
    assert.equal(cannotMatch(text!, null, 25), true);
    const [int] = parseFilter('n=eq.+007');
    assert.equal(cannotMatch(int!, '7', 20), false);
    assert.equal(cannotMatch(int!, '8', 21), true);
  });
});
