import { expect } from '@open-wc/testing';
import {
  messageChangeSchema,
  meetingPresenceSchema,
  parseList,
  parsePayload,
  typingEventSchema,
} from '../../src/connection/schemas.js';
import { uuid, uuidFromRandomValues } from '../../src/connection/ids.js';
import { conversationTopic, meetingTopic, typingTopic, userTopic } from '../../src/connection/topics.js';
import { PasabayErrorEvent } from '../../src/events/pasabay-error.js';

const ID = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const message = {
  id: ID,
  conversation_id: ID,
  sender_id: ID,
  body: 'hello',
  reply_to: null,
  created_at: '2025-06-01T10:00:00.123456+00:00',
  edited_at: null,
  deleted_at: null,
};

function collectErrors() {
  const target = new EventTarget();
  const errors: PasabayErrorEvent[] = [];
  target.addEventListener(PasabayErrorEvent.eventName, (e) => errors.push(e as PasabayErrorEvent));
  return { target, errors };
}

describe('connection/schemas', () => {
  it('parses the broadcast_changes envelope of each operation', () => {
    const insert = messageChangeSchema.parse({
      schema: 'public',
      table: 'messages',
      operation: 'INSERT',
      record: message,
      old_record: null,
    });
    expect(insert.operation).to.equal('INSERT');
    const update = messageChangeSchema.parse({
      id: ID,
      schema: 'public',
      table: 'messages',
      operation: 'UPDATE',
      record: { ...message, body: 'edited' },
      old_record: message,
    });
    expect(update.operation === 'UPDATE' && update.record.body).to.equal('edited');
    const removed = messageChangeSchema.parse({
      schema: 'public',
      table: 'messages',
      operation: 'DELETE',
      record: null,
      old_record: message,
    });
    expect(removed.operation === 'DELETE' && removed.old_record.id).to.equal(ID);
  });

  it('drops an invalid payload, reports it and never throws', () => {
    const { target, errors } = collectErrors();
    const payloads: unknown[] = [
      null,
      undefined,
      42,
      'x',
      [],
      { user_id: 'nope', display_name: 'A', typing: true },
      { typing: 'yes' },
    ];
    for (const payload of payloads) {
      expect(parsePayload(typingEventSchema, payload, { source: 'test', target })).to.equal(undefined);
    }
    expect(errors.length).to.equal(payloads.length);
    expect(errors[0]!.detail.code).to.equal('invalid-payload');
    expect(errors[0]!.detail.source).to.equal('test');
    expect(errors[0]!.bubbles && errors[0]!.composed).to.equal(true);
  });

  it('keeps the valid items of a list', () => {
    const { target, errors } = collectErrors();
    const items = parseList(typingEventSchema, [{ user_id: ID, display_name: 'Ana', typing: true }, { user_id: ID }], {
      source: 'list',
      target,
    });
    expect(items.length).to.equal(1);
    expect(errors.length).to.equal(1);
    expect(parseList(typingEventSchema, 'not a list', { source: 'list', target })).to.deep.equal([]);
  });

  it('fills presence flags a client left out', () => {
    const parsed = meetingPresenceSchema.parse({ user_id: ID, display_name: 'Ana', online_at: '2025-06-01T10:00:00Z' });
    expect(parsed.is_muted).to.equal(false);
    expect(parsed.avatar_url).to.equal(null);
  });

  it('makes v4 UUIDs with and without randomUUID', () => {
    const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(uuid()).to.match(v4);
    const many = new Set(Array.from({ length: 100 }, () => uuidFromRandomValues()));
    expect(many.size).to.equal(100);
    for (const id of many) expect(id).to.match(v4);
  });

  it('builds the topics of the realtime contract', () => {
    expect(conversationTopic('c')).to.equal('conversation:c');
    expect(typingTopic('c')).to.equal('conversation:c:typing');
    expect(meetingTopic('m')).to.equal('meeting:m');
    expect(userTopic('u')).to.equal('user:u');
  });
});
