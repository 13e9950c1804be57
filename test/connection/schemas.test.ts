import { expect } from '@open-wc/testing';
import {
  messageChangeSchema,
  parseList,
  participantChangeSchema,
  parsePayload,
  typingEventSchema,
} from '../../src/connection/schemas.js';
import { createClient } from '@supabase/supabase-js';
import { allowedAvatarUrl, parseAvatarHosts } from '../../src/connection/avatars.js';
import { uuid, uuidFromRandomValues } from '../../src/connection/ids.js';
import {
  conversationTopic,
  meetingPresenceTopic,
  meetingTopic,
  typingTopic,
  userTopic,
} from '../../src/connection/topics.js';
import { PasabayErrorEvent, reported } from '../../src/events/pasabay-error.js';

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

  it("leaves an UPDATE's old_record out of the result, unread", () => {
    const update = {
      schema: 'public',
      table: 'messages',
      operation: 'UPDATE',
      record: { ...message, body: 'edited' },
      old_record: { hostile: '<img src=x onerror=alert(1)>' },
    };
    const parsed = messageChangeSchema.parse(update);
    expect(parsed).to.not.have.property('old_record');
    expect(parsed.operation === 'UPDATE' && parsed.record.body).to.equal('edited');
    // The row the elements read is still checked whole.
    expect(messageChangeSchema.safeParse({ ...update, record: { ...message, id: 'not-a-uuid' } }).success).to.equal(
      false,
    );
  });

  it('accepts a change only of the table it names, in schema public', () => {
    const change = { schema: 'public', table: 'messages', operation: 'INSERT', record: message, old_record: null };
    expect(messageChangeSchema.safeParse(change).success).to.equal(true);
    expect(messageChangeSchema.safeParse({ ...change, table: 'message_reactions' }).success).to.equal(false);
    expect(messageChangeSchema.safeParse({ ...change, schema: 'auth' }).success).to.equal(false);
    expect(messageChangeSchema.safeParse({ ...change, operation: 'TRUNCATE' }).success).to.equal(false);
    expect(participantChangeSchema.safeParse(change).success).to.equal(false);
  });

  it("allows avatars only from the project's public Storage and allowed hosts", () => {
    const client = createClient('http://127.0.0.1:54321', 'anon-key', { auth: { persistSession: false } });
    const storage = 'http://127.0.0.1:54321/storage/v1/object/public/avatars/a.png';
    expect(allowedAvatarUrl(storage, client)).to.equal(storage);
    expect(allowedAvatarUrl('http://127.0.0.1:54321/rest/v1/profiles', client)).to.equal(undefined);
    expect(allowedAvatarUrl('http://127.0.0.1:54321/storage/v1/object/sign/avatars/a.png', client)).to.equal(undefined);
    expect(allowedAvatarUrl('https://cdn.example.com/a.png', client)).to.equal(undefined);
    expect(allowedAvatarUrl('https://cdn.example.com/a.png', client, ['https://cdn.example.com'])).to.equal(
      'https://cdn.example.com/a.png',
    );
    expect(allowedAvatarUrl('https://user:pw@cdn.example.com/a.png', client, ['https://cdn.example.com'])).to.equal(
      undefined,
    );
    expect(allowedAvatarUrl('javascript:alert(1)', client, ['https://cdn.example.com'])).to.equal(undefined);
    expect(allowedAvatarUrl('not a url', client)).to.equal(undefined);
    expect(parseAvatarHosts(' https://a.example/x  nonsense http://b.example:8080 ')).to.deep.equal([
      'https://a.example',
      'http://b.example:8080',
    ]);
    client.realtime.disconnect();
  });

  it('drops an invalid payload, returns the problem to the caller (who reports it) and never throws', () => {
    const { target, errors } = collectErrors();
    const payloads: unknown[] = [
      null,
      undefined,
      42,
      'x',
      [],
      { conversation_id: ID, user_id: 'nope', display_name: 'A', is_typing: true },
      { conversation_id: ID, user_id: ID, display_name: 'A', typing: true },
      { is_typing: 'yes' },
    ];
    for (const payload of payloads) {
      const before = errors.length;
      const parsed = parsePayload(typingEventSchema, payload, 'test');
      expect(parsed.data).to.equal(undefined);
      expect(parsed.problems.length).to.equal(1);
      // Parsing dispatches nothing: the caller reports.
      expect(errors.length).to.equal(before);
      expect(reported(target, parsed)).to.equal(undefined);
    }
    expect(errors.length).to.equal(payloads.length);
    expect(errors[0]!.detail.code).to.equal('invalid-payload');
    expect(errors[0]!.detail.source).to.equal('test');
    expect(errors[0]!.bubbles && errors[0]!.composed).to.equal(true);
  });

  it('keeps the valid items of a list', () => {
    const { target, errors } = collectErrors();
    const parsed = parseList(
      typingEventSchema,
      [{ conversation_id: ID, user_id: ID, display_name: 'Ana', is_typing: true }, { user_id: ID }],
      'list',
    );
    expect(parsed.problems.length).to.equal(1);
    expect(errors.length).to.equal(0);
    expect(reported(target, parsed).length).to.equal(1);
    expect(errors.length).to.equal(1);
    expect(errors[0]!.detail.source).to.equal('list');
    const notAList = parseList(typingEventSchema, 'not a list', 'list');
    expect(notAList.data.length).to.equal(0);
    expect(notAList.problems.length).to.equal(1);
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
    expect(meetingPresenceTopic('m')).to.equal('meeting:m:presence');
    expect(userTopic('u')).to.equal('user:u');
  });
});
