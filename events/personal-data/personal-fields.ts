import type { EventType } from '../registry.js';

// The one home of "which parts of an event are personal" (docs/rules.md "Personal data in
// events"): for each event type, whose data key seals them (the subject, found at a path of the
// event's own data) and the fields that are personal, each with what it reads as once that key is
// destroyed. Erased values pass the event's schema (test/unit/events/personal-fields.test.ts), so
// an erased event is still a valid event of its type and every reader folds it as usual.
//
// Chosen: the texts a person writes and the words derived from them (display name, bio, captions
// with their hashtags and mentions, comment texts, collection names), the external media URLs they post (they point
// at their photos and may carry their identity), and upload file names. Not chosen: ids, times,
// counts, storage keys (the media objects themselves go with the account's erasure), and the
// username, which is the stream id of the username reservation and the account's public handle:
// the deletion lifecycle releases it, the log keeps that it was once taken.

/** A field path: keys separated by dots, `[]` for every element of an array (`media[].url`). */
export type FieldPath = string;

export interface PersonalField {
  path: FieldPath;
  /** What the field reads as once its subject's key is destroyed; valid for the event's schema. */
  erased: unknown;
}

export interface PersonalFieldsOfType {
  /** Path of the data field holding the id of the person whose key seals the fields. */
  subject: FieldPath;
  fields: readonly PersonalField[];
}

/** An external media URL after erasure: a URL of the reserved `.invalid` domain, which resolves nowhere. */
export const ERASED_URL = 'https://erased.invalid/';

const captionFields: readonly PersonalField[] = [
  { path: 'caption', erased: '' },
  { path: 'hashtags', erased: [] },
  { path: 'mentions', erased: [] },
];

export const personalFields: Partial<Record<EventType, PersonalFieldsOfType>> = {
  UserRegistered: { subject: 'userId', fields: [{ path: 'displayName', erased: '' }] },
  ProfileUpdated: {
    subject: 'userId',
    fields: [
      { path: 'displayName', erased: '' },
      { path: 'bio', erased: '' },
    ],
  },
  PostCreated: { subject: 'authorId', fields: [...captionFields, { path: 'media[].url', erased: ERASED_URL }] },
  CaptionEdited: { subject: 'authorId', fields: captionFields },
  CommentAdded: {
    subject: 'authorId',
    fields: [
      { path: 'text', erased: '' },
      { path: 'mentions', erased: [] },
    ],
  },
  StoryPosted: { subject: 'authorId', fields: [{ path: 'media.url', erased: ERASED_URL }] },
  CollectionCreated: { subject: 'ownerId', fields: [{ path: 'name', erased: '' }] },
  CollectionRenamed: { subject: 'ownerId', fields: [{ path: 'name', erased: '' }] },
  MediaUploadRequested: { subject: 'ownerId', fields: [{ path: 'filename', erased: '' }] },
};

/** The types that carry personal fields: what the re-keying migration looks at. */
export const personalEventTypes = Object.keys(personalFields) as EventType[];

export const personalFieldsOf = (type: string): PersonalFieldsOfType | undefined =>
  Object.hasOwn(personalFields, type) ? personalFields[type as EventType] : undefined;
