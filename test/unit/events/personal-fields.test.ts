import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { erasedData, personalValuesOf, restoredData, valueOfPath } from '../../../events/personal-data/field-values.js';
import { ERASED_URL, personalEventTypes, personalFields, personalFieldsOf } from '../../../events/personal-data/personal-fields.js';
import { eventSchemas, type EventType } from '../../../events/registry.js';
import { personalDataOf } from '../../support/personal-data-fixtures.js';

// The table of personal fields (events/personal-data/personal-fields.ts): an erased event is still
// a valid event of its type, erasing leaves none of the personal text and nothing else changed,
// and putting the values back gives the event as it was.

const marker = 'zqxmarker';

describe('personal fields', () => {
  it('names the chosen fields, each subject an id of the event', () => {
    expect(Object.fromEntries(Object.entries(personalFields).map(([type, f]) => [type, [f.subject, f.fields.map((field) => field.path)]]))).toEqual({
      UserRegistered: ['userId', ['displayName']],
      ProfileUpdated: ['userId', ['displayName', 'bio']],
      PostCreated: ['authorId', ['caption', 'hashtags', 'mentions', 'media[].url']],
      CaptionEdited: ['authorId', ['caption', 'hashtags', 'mentions']],
      CommentAdded: ['authorId', ['text', 'mentions']],
      StoryPosted: ['authorId', ['media.url']],
      CollectionCreated: ['ownerId', ['name']],
      CollectionRenamed: ['ownerId', ['name']],
      MediaUploadRequested: ['ownerId', ['filename']],
    });
  });

  describe.each(personalEventTypes)('%s', (type: EventType) => {
    const fields = personalFieldsOf(type)!;
    const personId = uuidv7();
    const data = personalDataOf(type, personId, marker);

    it('is valid before and after erasure, and erasure removes every personal text and changes nothing else', () => {
      const before = JSON.stringify(data);
      expect(eventSchemas[type].schema.safeParse(data).success).toBe(true);
      const erased = erasedData(data, fields.fields);
      const parsed = eventSchemas[type].schema.safeParse(erased);
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(JSON.stringify(erased)).not.toContain(marker);
      expect(JSON.stringify(erased)).not.toContain('bob');
      expect(valueOfPath(erased, fields.subject)).toBe(personId);
      // Everything but the personal values is as it was: restoring the erased copy with the values gives the original.
      expect(restoredData(erased, personalValuesOf(data, fields.fields))).toEqual(data);
      expect(JSON.stringify(data)).toBe(before); // copy-on-write: the original is not changed in place
      expect(before).toContain(marker);
    });
  });

  it('reaches each element of an array, and only the elements that have the field', () => {
    const data = personalDataOf('PostCreated', uuidv7(), marker) as { media: Record<string, unknown>[] };
    const erased = erasedData(data, personalFieldsOf('PostCreated')!.fields) as { media: Record<string, unknown>[] };
    expect(erased.media[0]).toEqual({ url: ERASED_URL, type: 'image' });
    expect(erased.media[1]).toEqual(data.media[1]);
    expect('url' in erased.media[1]!).toBe(false);
  });

  it('leaves absent optional fields absent', () => {
    const data = { userId: uuidv7(), bio: `only ${marker}` };
    const fields = personalFieldsOf('ProfileUpdated')!.fields;
    expect(personalValuesOf(data, fields)).toEqual([[['bio'], `only ${marker}`]]);
    expect(erasedData(data, fields)).toEqual({ userId: data.userId, bio: '' });
  });

  it('is for types of the registry only', () => {
    for (const type of personalEventTypes) expect(Object.hasOwn(eventSchemas, type)).toBe(true);
    expect(personalFieldsOf('Liked')).toBeUndefined();
    expect(personalFieldsOf('toString')).toBeUndefined();
  });
});
