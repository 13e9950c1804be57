/**
 * Phoenix wire formats as Supabase Realtime speaks them: vsn 1.0.0 (JSON objects) and
 * vsn 2.0.0 (JSON arrays plus the binary user-broadcast frames, kind 3 in and kind 4 out).
 * Pure functions: a malformed frame throws ProtocolError and the socket decides what to do.
 */

export type Vsn = '1.0.0' | '2.0.0';

/** One Phoenix message, whichever serializer carried it. */
export interface PhxMessage {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: Record<string, unknown>;
}

/** A client broadcast pushed as binary kind 3 (realtime-js ≥ 2.81 with vsn 2.0.0). */
export interface UserBroadcastPush {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  userEvent: string;
  metadata: Record<string, unknown> | undefined;
  encoding: 'json' | 'binary';
  payload: Buffer;
}

export type Incoming = { kind: 'message'; message: PhxMessage } | { kind: 'user_broadcast'; push: UserBroadcastPush };

/** A broadcast whose payload stays raw bytes until each receiver's serializer encodes it. */
export interface UserBroadcast {
  userEvent: string;
  encoding: 'json' | 'binary';
  payload: Buffer;
  metadata?: Record<string, unknown>;
}

export class ProtocolError extends Error {}

const USER_BROADCAST_PUSH = 3;
const USER_BROADCAST = 4;
const BINARY_ENCODING = 0;
const JSON_ENCODING = 1;

/** Phoenix negotiates `~> 1.0.0` / `~> 2.0.0`; an absent vsn means 1.0.0. */
export function negotiateVsn(requested: string | null): Vsn | undefined {
  if (requested === null || requested === '') return '1.0.0';
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(requested);
  if (!match) return undefined;
  if (match[1] === '1' && match[2] === '0') return '1.0.0';
  if (match[1] === '2' && match[2] === '0') return '2.0.0';
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refOrNull(value: unknown, name: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  // Phoenix clients other than realtime-js send integer refs; the server echoes them as text.
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new ProtocolError(`${name} must be a string or null`);
}

function messageFrom(joinRef: unknown, ref: unknown, topic: unknown, event: unknown, payload: unknown): PhxMessage {
  if (typeof topic !== 'string') throw new ProtocolError('topic must be a string');
  if (typeof event !== 'string') throw new ProtocolError('event must be a string');
  if (!isRecord(payload)) throw new ProtocolError('payload must be an object');
  return { joinRef: refOrNull(joinRef, 'join_ref'), ref: refOrNull(ref, 'ref'), topic, event, payload };
}

/** Decodes one WebSocket frame; throws ProtocolError for anything Phoenix would crash on. */
export function decodeFrame(vsn: Vsn, data: Buffer, isBinary: boolean): Incoming {
  if (isBinary) {
    if (vsn !== '2.0.0') throw new ProtocolError('binary frames need vsn 2.0.0');
    return { kind: 'user_broadcast', push: decodeUserBroadcastPush(data) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    throw new ProtocolError('frame is not JSON');
  }
  if (vsn === '2.0.0') {
    if (!Array.isArray(parsed) || parsed.length !== 5)
      throw new ProtocolError('expected [join_ref, ref, topic, event, payload]');
    const [joinRef, ref, topic, event, payload] = parsed as unknown[];
    return { kind: 'message', message: messageFrom(joinRef, ref, topic, event, payload) };
  }
  if (!isRecord(parsed)) throw new ProtocolError('expected {topic, event, payload, ref}');
  return {
    kind: 'message',
    message: messageFrom(parsed['join_ref'], parsed['ref'], parsed['topic'], parsed['event'], parsed['payload']),
  };
}

function decodeUserBroadcastPush(data: Buffer): UserBroadcastPush {
  if (data.length < 7) throw new ProtocolError('binary frame too short');
  if (data[0] !== USER_BROADCAST_PUSH) throw new ProtocolError(`unsupported binary kind ${data[0]}`);
  const [joinRefSize, refSize, topicSize, eventSize, metadataSize, encoding] = [
    data[1]!,
    data[2]!,
    data[3]!,
    data[4]!,
    data[5]!,
    data[6]!,
  ];
  if (encoding !== BINARY_ENCODING && encoding !== JSON_ENCODING)
    throw new ProtocolError(`unknown payload encoding ${encoding}`);
  const headerEnd = 7 + joinRefSize + refSize + topicSize + eventSize + metadataSize;
  if (data.length < headerEnd) throw new ProtocolError('binary frame shorter than its header');
  let offset = 7;
  const take = (size: number) => {
    const text = data.toString('utf8', offset, offset + size);
    offset += size;
    return text;
  };
  const joinRef = take(joinRefSize);
  const ref = take(refSize);
  const topic = take(topicSize);
  const userEvent = take(eventSize);
  const metadataText = take(metadataSize);
  let metadata: Record<string, unknown> | undefined;
  if (metadataSize > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(metadataText);
    } catch {
      throw new ProtocolError('binary frame metadata is not JSON');
    }
    if (!isRecord(parsed)) throw new ProtocolError('binary frame metadata must be an object');
    metadata = parsed;
  }
  return {
    joinRef: joinRef === '' ? null : joinRef,
    ref: ref === '' ? null : ref,
    topic,
    userEvent,
    metadata,
    encoding: encoding === JSON_ENCODING ? 'json' : 'binary',
    payload: data.subarray(headerEnd),
  };
}

/** JSON of payloads sent unchanged to many sockets (a room's presence_diff, a change's frame). */
const sharedPayloadJson = new WeakMap<object, string>();

/**
 * Marks a payload that goes unchanged to many channels: it is encoded once here, and each socket's
 * frame only splices its own join_ref, ref and topic around that text. Frozen, so what was encoded
 * is what every recipient gets.
 */
export function sharedPayload<T extends Record<string, unknown>>(payload: T): Readonly<T> {
  sharedPayloadJson.set(Object.freeze(payload), JSON.stringify(payload));
  return payload;
}

/**
 * Encodes a text message for the socket's serializer (v1 objects carry no join_ref, as Phoenix's V1
 * serializer). Byte for byte `JSON.stringify` of the array / object, with a shared payload's text reused.
 */
export function encodeMessage(vsn: Vsn, message: PhxMessage): string {
  const payload = sharedPayloadJson.get(message.payload) ?? JSON.stringify(message.payload);
  const ref = message.ref === null ? 'null' : JSON.stringify(message.ref);
  if (vsn === '2.0.0') {
    const joinRef = message.joinRef === null ? 'null' : JSON.stringify(message.joinRef);
    return `[${joinRef},${ref},${JSON.stringify(message.topic)},${JSON.stringify(message.event)},${payload}]`;
  }
  return `{"topic":${JSON.stringify(message.topic)},"event":${JSON.stringify(message.event)},"payload":${payload},"ref":${ref}}`;
}

/**
 * Encodes a user broadcast: kind 4 binary for vsn 2; for vsn 1 the JSON broadcast Realtime converts it to,
 * or undefined when the payload is binary (v1 sockets silently do not get those).
 */
export function encodeUserBroadcast(vsn: Vsn, topic: string, broadcast: UserBroadcast): Buffer | string | undefined {
  if (vsn === '1.0.0') {
    const payload = userBroadcastAsJson(broadcast);
    return payload && encodeMessage(vsn, { joinRef: null, ref: null, topic, event: 'broadcast', payload });
  }
  const topicBytes = Buffer.from(topic, 'utf8');
  const eventBytes = Buffer.from(broadcast.userEvent, 'utf8');
  const metadataBytes = broadcast.metadata ? Buffer.from(JSON.stringify(broadcast.metadata), 'utf8') : Buffer.alloc(0);
  if (topicBytes.length > 255 || eventBytes.length > 255 || metadataBytes.length > 255) return undefined;
  const header = Buffer.from([
    USER_BROADCAST,
    topicBytes.length,
    eventBytes.length,
    metadataBytes.length,
    broadcast.encoding === 'json' ? JSON_ENCODING : BINARY_ENCODING,
  ]);
  return Buffer.concat([header, topicBytes, eventBytes, metadataBytes, broadcast.payload]);
}

/** `UserBroadcast.convert_to_json_broadcast`: `{event, payload, type, meta?}`, only for valid JSON payloads. */
export function userBroadcastAsJson(broadcast: UserBroadcast): Record<string, unknown> | undefined {
  if (broadcast.encoding !== 'json') return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(broadcast.payload.toString('utf8'));
  } catch {
    return undefined;
  }
  const json: Record<string, unknown> = { event: broadcast.userEvent, payload, type: 'broadcast' };
  if (broadcast.metadata) json['meta'] = broadcast.metadata;
  return json;
}

/** The kind 3 frame realtime-js writes; tests use it to speak binary like the real client. */
export function encodeUserBroadcastPush(
  push: Omit<UserBroadcastPush, 'metadata'> & { metadata?: Record<string, unknown> },
): Buffer {
  const parts = [
    push.joinRef ?? '',
    push.ref ?? '',
    push.topic,
    push.userEvent,
    push.metadata ? JSON.stringify(push.metadata) : '',
  ].map((text) => Buffer.from(text, 'utf8'));
  const header = Buffer.from([
    USER_BROADCAST_PUSH,
    ...parts.map((part) => part.length),
    push.encoding === 'json' ? JSON_ENCODING : BINARY_ENCODING,
  ]);
  return Buffer.concat([header, ...parts, push.payload]);
}
