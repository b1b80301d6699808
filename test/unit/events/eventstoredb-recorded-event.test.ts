import { EVENT_TYPE, STREAM_NAME, type EventData, type RegexFilter, type PrefixesFilter } from '@eventstore/db-client';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../../../events/envelope.js';
import { currentVersion } from '../../../events/registry.js';
import { isPlatformEvent, serverFilterOf, toEventData, toRecordedEvent, UnreadableEventError } from '../../../events/eventstoredb/recorded-event.js';
import { asServerReturns } from '../../support/eventstoredb-records.js';

// The adapter's mapping of events, through the client's own conversion: an event is turned into
// the client's EventData as the adapter appends it, then into what the client hands the adapter
// when a server returns it (test/support/eventstoredb-records.ts).

const liked = (): NewEvent => ({
  eventId: uuidv7(),
  type: 'Liked',
  data: { postId: uuidv7(), userId: uuidv7(), postAuthorId: uuidv7(), likedAt: '2025-03-01T12:00:00.000Z' },
  metadata: { correlationId: uuidv7(), causationId: uuidv7(), actorId: null, occurredAt: '2025-03-01T12:00:00.000Z', idempotencyKey: 'key-1' },
});

describe('EventStoreDB event mapping', () => {
  it("appends an event as JSON under the envelope's id (what the server deduplicates by), with its schema version in the metadata", () => {
    const event = liked();
    const data = toEventData(event, event.data);
    expect(data).toEqual({
      id: event.eventId,
      contentType: 'application/json',
      type: 'Liked',
      data: event.data,
      metadata: { schemaVersion: currentVersion('Liked'), metadata: event.metadata },
    });
  });

  it('reads back what it appended: type, data, metadata, id, stream, revision, $all position and time', () => {
    const event = liked();
    const record = asServerReturns(toEventData(event, event.data), { streamId: 'post-1', revision: 4n, commit: 0x2a10n, prepare: 0x2a00n });
    expect(isPlatformEvent(record)).toBe(true);
    expect(toRecordedEvent(record)).toEqual({
      ...event,
      schemaVersion: currentVersion('Liked'),
      streamId: 'post-1',
      streamRevision: 4,
      position: '0000000000002a10:0000000000002a00',
      recordedAt: '2025-03-01T12:00:00.123Z',
    });
  });

  it('appends the data it is given (the validated data), not the envelope as passed', () => {
    const event = { ...liked(), data: { postId: uuidv7(), extra: 'dropped by validation' } };
    const validated = { postId: (event.data as { postId: string }).postId };
    expect(toRecordedEvent(asServerReturns(toEventData(event, validated), { streamId: 's', revision: 0n, commit: 1n, prepare: 1n })).data).toEqual(validated);
  });

  it('upcasts an event stored under an older schema version to the current one', () => {
    const v1 = {
      postId: uuidv7(),
      authorId: uuidv7(),
      caption: 'sunset #beach',
      hashtags: ['beach'],
      mentions: [],
      imageUrl: 'https://cdn.example/sunset.jpg',
      createdAt: '2021-06-01T18:00:00.000Z',
    };
    const stored: EventData = {
      id: uuidv7(),
      contentType: 'application/json',
      type: 'PostCreated',
      data: v1,
      metadata: { schemaVersion: 1, metadata: liked().metadata },
    };
    const read = toRecordedEvent(asServerReturns(stored, { streamId: `post-${v1.postId}`, revision: 0n, commit: 9n, prepare: 9n }));
    const { imageUrl: _imageUrl, ...unchanged } = v1;
    expect(read).toMatchObject({ type: 'PostCreated', schemaVersion: currentVersion('PostCreated'), data: { ...unchanged, media: [{ url: v1.imageUrl, type: 'image' }] } });
  });

  it("leaves out of the platform's log what this adapter did not write: system events and streams, binary events, foreign metadata", () => {
    const ours = toEventData(liked(), liked().data);
    const at = { revision: 0n, commit: 5n, prepare: 5n };
    expect(isPlatformEvent(asServerReturns({ ...ours, type: '$statsCollected' }, { ...at, streamId: '$stats-127.0.0.1:2113' }))).toBe(false);
    expect(isPlatformEvent(asServerReturns(ours, { ...at, streamId: '$$post-1' }))).toBe(false);
    expect(isPlatformEvent(asServerReturns({ ...ours, type: '$>' }, { ...at, streamId: 'post-1' }))).toBe(false);
    const binary: EventData = { id: uuidv7(), contentType: 'application/octet-stream', type: 'Liked', data: Buffer.from('{}'), metadata: Buffer.from(JSON.stringify(ours.metadata)) };
    expect(isPlatformEvent(asServerReturns(binary, { ...at, streamId: 'post-1' }))).toBe(false);
    const foreign = { ...ours, metadata: { $correlationId: 'x' } };
    const foreignRecord = asServerReturns(foreign, { ...at, streamId: 'orders-1' });
    expect(isPlatformEvent(foreignRecord)).toBe(false);
    expect(() => toRecordedEvent(foreignRecord)).toThrow(UnreadableEventError);
  });

  it('refuses an event read without its $all position (a stream read on a server before 22.10), instead of inventing one', () => {
    const event = liked();
    const data = toEventData(event, event.data);
    // Fields left unset (the client reads 0 and 0), or 2^64-1, EventStoreDB's "no position".
    expect(() => toRecordedEvent(asServerReturns(data, { streamId: 'post-1', revision: 0n }))).toThrow(UnreadableEventError);
    const noPosition = (1n << 64n) - 1n;
    expect(() => toRecordedEvent(asServerReturns(data, { streamId: 'post-1', revision: 0n, commit: noPosition, prepare: noPosition }))).toThrow(UnreadableEventError);
    // A real position with a zero prepare part (checkpoints have them) is a position.
    expect(toRecordedEvent(asServerReturns(data, { streamId: 'post-1', revision: 0n, commit: 0x40n, prepare: 0n })).position).toBe('0000000000000040:0000000000000000');
  });
});

describe('EventStoreDB server-side filters', () => {
  const matches = (filter: RegexFilter, text: string) => new RegExp(filter.regex).test(text);

  it('filters by exact event type when the filter names types (the stream prefixes are checked in process)', () => {
    const filter = serverFilterOf({ types: ['Liked', 'Post.Created'], streamPrefixes: ['post-'] }) as RegexFilter;
    expect(filter.filterOn).toBe(EVENT_TYPE);
    expect(matches(filter, 'Liked')).toBe(true);
    expect(matches(filter, 'Post.Created')).toBe(true);
    // Exact names: neither a longer type, nor a regex reading of the name's own characters.
    for (const other of ['Unliked', 'LikedAgain', 'PostxCreated', '$statsCollected']) expect(matches(filter, other)).toBe(false);
  });

  it('filters by stream prefix when the filter names only prefixes', () => {
    const filter = serverFilterOf({ streamPrefixes: ['post-', 'a_b'] }) as PrefixesFilter;
    expect(filter.filterOn).toBe(STREAM_NAME);
    expect(filter.prefixes).toEqual(['post-', 'a_b']);
  });

  it('drops system events when there is no filter', () => {
    const filter = serverFilterOf(undefined) as RegexFilter;
    expect(filter.filterOn).toBe(EVENT_TYPE);
    expect(matches(filter, 'Liked')).toBe(true);
    expect(matches(filter, '$statsCollected')).toBe(false);
  });
});
