import type { NewEvent, RecordedEvent } from '../envelope.js';
import type { EventStore } from '../event-store.js';
import type { SnapshotStore, StreamFromSnapshot, StreamSnapshot } from '../snapshot-store.js';
import { knownValidData, validateEvent } from '../validate.js';
import { erasedData, personalValuesOf, restoredData, valueOfPath, type FieldValue } from './field-values.js';
import { KEY_CACHE_TTL_MS, type PersonalDataKeyStore } from './key-store.js';
import { personalFieldsOf } from './personal-fields.js';
import { isSealedText, keyIdOf, open, seal, SealedTextError } from './sealed-text.js';

// Personal data sealed at the event store boundary (docs/architecture.md "Personal data"): an
// EventStore that wraps another one. On append, each event of a type with personal fields
// (personal-fields.ts) is validated in clear, so that every limit applies to the real text; then
// its personal values are sealed together under the subject's data key into the event's metadata
// (`personalData`), and its data keeps the fields' erased values, so the stored event is valid
// for its schema as it stands (marked so: the wrapped store does not run the schema again) and the data column never
// holds personal text. On read, the values are opened and put back and `personalData` is
// removed: the domain and the projections never see sealed text. Once the subject's key is
// destroyed, the event reads as stored: erased. Events without `personalData` (written before
// this, or without personal fields) read as they are.
//
// Snapshots hold folded state, personal text included: the state of a stream whose events have a
// subject is sealed under that subject's key too, so destroying the key shreds the snapshot with
// the events (a snapshot that does not open is ignored, and the stream is folded whole from its
// erased events). A snapshot is only saved for a stream this process has read, so its subject is
// known; otherwise the save is skipped, which a snapshot allows.

/** Where a sealed event keeps its personal values: in its metadata, under this name. */
export const PERSONAL_DATA = 'personalData';
/** The one key of a sealed snapshot state. */
export const SEALED_STATE = '$personalData';

export interface SealedFields {
  /** The person whose key sealed `fields`. */
  subject: string;
  /** keyIdOf the key that sealed them: another key of the same person means that one was destroyed. */
  key: string;
  /** The event's personal values (FieldValue[] as JSON), sealed. */
  fields: string;
}

export interface PersonalDataStoreOptions {
  /** How long a text opened stays opened without deciphering it again (openedTextCache; default KEY_CACHE_TTL_MS, 0 keeps none). */
  openedTtlMs?: number;
  /** The clock of that cache (tests). */
  now?: () => number;
  /**
   * Called for sealed text that does not open although its key exists (damage, or text moved to
   * another event): the event reads as erased, so that one damaged row never stops a projector
   * (a read that throws is retried forever), and this says so. Default: a process warning.
   */
  onUnreadable?: (where: string, error: Error) => void;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export const sealedFieldsOf = (metadata: unknown): SealedFields | undefined => {
  const sealed = isRecord(metadata) ? metadata[PERSONAL_DATA] : undefined;
  return isRecord(sealed) && typeof sealed.subject === 'string' && typeof sealed.key === 'string' && isSealedText(sealed.fields)
    ? (sealed as unknown as SealedFields)
    : undefined;
};

/** What a sealed event's text is bound to: it opens only in the event it was sealed for. */
export const eventContext = (eventId: string, type: string, subject: string) => `event|${eventId}|${type}|${subject}`;
const snapshotContext = (streamId: string, key: string, revision: number) => `snapshot|${streamId}|${key}|${revision}`;

/** The subject of an event of a type with personal fields (sealed or not), found in its data. */
const subjectOf = (event: { type: string; data: unknown }): string | undefined => {
  const fields = personalFieldsOf(event.type);
  const subject = fields ? valueOfPath(event.data, fields.subject) : undefined;
  return typeof subject === 'string' ? subject : undefined;
};

/**
 * The event as it is stored: personal values sealed under the subject's key, erased in the data.
 * `keyFor` gives (and creates) the subject's key.
 */
export const sealEvent = async (event: NewEvent, keyFor: (personId: string) => Promise<Buffer>): Promise<NewEvent> => {
  if (!personalFieldsOf(event.type)) return event;
  const sealed = await sealValidEvent({ ...event, data: validateEvent(event) }, keyFor);
  // Valid in clear, so valid erased: the wrapped store need not run the schema again (validate.ts knownValidData).
  return { ...sealed, data: knownValidData(sealed.type, sealed.data) };
};

/**
 * sealEvent without the validation: for events already in the log (the re-keying migration),
 * which were valid for the schema of their day and must be sealed as they are.
 */
export const sealValidEvent = async (event: NewEvent, keyFor: (personId: string) => Promise<Buffer>): Promise<NewEvent> => {
  const fields = personalFieldsOf(event.type);
  const data = event.data;
  if (!fields) return event;
  const values = personalValuesOf(data, fields.fields);
  const subject = valueOfPath(data, fields.subject);
  if (values.length === 0 || typeof subject !== 'string') return { ...event, data };
  const key = await keyFor(subject);
  const sealed: SealedFields = { subject, key: keyIdOf(key), fields: seal(key, JSON.stringify(values), eventContext(event.eventId, event.type, subject)) };
  return { ...event, data: erasedData(data, fields.fields), metadata: { ...event.metadata, [PERSONAL_DATA]: sealed } as NewEvent['metadata'] };
};

const withoutSealedFields = (metadata: RecordedEvent['metadata']): RecordedEvent['metadata'] => {
  const { [PERSONAL_DATA]: _sealed, ...rest } = metadata as RecordedEvent['metadata'] & { [PERSONAL_DATA]?: unknown };
  return rest;
};

/**
 * Texts opened, by what opened them: the key's id, the associated data and the sealed text itself.
 * AES-GCM gives one plaintext for one key, nonce, associated data and ciphertext, so a text opened
 * before is not deciphered again (a command reads the same streams over and over: create-post reads
 * its author's user stream each time, and each createDecipheriv cost ~7 us on the bench machine).
 * Asked only once the subject's key is found and matches the one that sealed the text, so that a
 * destroyed key reads erased at once, as before; an entry lives no longer than a key stays cached
 * (KEY_CACHE_TTL_MS), so opened text outlives its key in memory no longer than the key itself
 * may; bounded, the oldest go first.
 */
const openedTextCache = (ttlMs: number, now: () => number, maxSize = 10_000) => {
  const entries = new Map<string, { plaintext: string; until: number }>();
  return (key: Buffer, sealed: string, context: string): string => {
    const name = `${keyIdOf(key)}\n${context}\n${sealed}`;
    const entry = entries.get(name);
    if (entry && entry.until > now()) return entry.plaintext;
    const plaintext = open(key, sealed, context).toString('utf8');
    if (ttlMs > 0) {
      entries.delete(name);
      entries.set(name, { plaintext, until: now() + ttlMs });
      if (entries.size > maxSize) entries.delete(entries.keys().next().value!);
    }
    return plaintext;
  };
};

const warn = (where: string, error: Error) => process.emitWarning(`${where}: ${error.message}; read as erased`, 'PersonalDataWarning');

export const createPersonalDataEventStore = (inner: EventStore, keys: PersonalDataKeyStore, options: PersonalDataStoreOptions = {}): EventStore => {
  const onUnreadable = options.onUnreadable ?? warn;
  const openText = openedTextCache(options.openedTtlMs ?? KEY_CACHE_TTL_MS, options.now ?? Date.now);

  const openEvents = async (events: RecordedEvent[]): Promise<RecordedEvent[]> => {
    const subjects = new Set<string>();
    for (const event of events) {
      const sealed = sealedFieldsOf(event.metadata);
      if (sealed) subjects.add(sealed.subject);
    }
    if (subjects.size === 0) return events;
    const found = await keys.keysOf([...subjects]);
    return events.map((event) => {
      const sealed = sealedFieldsOf(event.metadata);
      if (!sealed) return event;
      const opened = { ...event, metadata: withoutSealedFields(event.metadata) };
      const key = found.get(sealed.subject);
      // Shredded (no key, or a newer key made after the one that sealed this was destroyed): the data holds the erased values.
      if (!key || keyIdOf(key) !== sealed.key) return opened;
      try {
        const values = JSON.parse(openText(key, sealed.fields, eventContext(event.eventId, event.type, sealed.subject))) as FieldValue[];
        return { ...opened, data: restoredData(event.data, values) };
      } catch (error) {
        if (!(error instanceof SealedTextError)) throw error;
        onUnreadable(`event ${event.eventId} (${event.type}) at ${event.position}`, error);
        return opened;
      }
    });
  };

  // The subject of each stream this process has read whole (or from its snapshot): whose key
  // seals its next snapshot. `mixed` (two subjects, which no stream has today) saves none.
  const streamSubjects = new Map<string, string | null | 'mixed'>();
  const noteSubjects = (streamId: string, subjects: Iterable<string | undefined>, known: string | null = null) => {
    let subject = known;
    for (const next of subjects) {
      if (next === undefined || next === subject) continue;
      subject = subject === null ? next : 'mixed';
    }
    streamSubjects.delete(streamId);
    streamSubjects.set(streamId, subject);
    if (streamSubjects.size > 10_000) streamSubjects.delete(streamSubjects.keys().next().value!);
  };

  const readStream: EventStore['readStream'] = async (streamId, fromRevision) => {
    const events = await openEvents(await inner.readStream(streamId, fromRevision));
    if (!fromRevision) noteSubjects(streamId, events.map(subjectOf));
    return events;
  };

  const snapshots = (innerSnapshots: SnapshotStore): SnapshotStore => ({
    async readFromSnapshot(streamId, key): Promise<StreamFromSnapshot> {
      const stored = await innerSnapshots.readFromSnapshot(streamId, key);
      const events = await openEvents(stored.events);
      const tailSubjects = events.map(subjectOf);
      if (!stored.snapshot) {
        noteSubjects(streamId, tailSubjects);
        return { snapshot: null, events };
      }
      const sealedState = isRecord(stored.snapshot.state) ? stored.snapshot.state[SEALED_STATE] : undefined;
      if (sealedState === undefined) {
        noteSubjects(streamId, tailSubjects);
        return { snapshot: stored.snapshot, events };
      }
      const wellFormed = isRecord(sealedState) && typeof sealedState.subject === 'string' && typeof sealedState.key === 'string' && isSealedText(sealedState.state);
      const subject = wellFormed ? (sealedState.subject as string) : undefined;
      const dataKey = subject ? (await keys.keysOf([subject])).get(subject) : undefined;
      try {
        if (wellFormed && subject && dataKey && keyIdOf(dataKey) === sealedState.key) {
          const state: unknown = JSON.parse(openText(dataKey, sealedState.state as string, snapshotContext(streamId, key, stored.snapshot.revision)));
          noteSubjects(streamId, tailSubjects, subject);
          return { snapshot: { ...stored.snapshot, state }, events };
        }
      } catch (error) {
        if (!(error instanceof SealedTextError)) throw error;
        onUnreadable(`snapshot of ${streamId} (${key})`, error);
      }
      // Shredded (or damaged): the state is folded again from the events, which read erased.
      return { snapshot: null, events: await readStream(streamId) };
    },
    async saveSnapshot(streamId, key, snapshot: StreamSnapshot) {
      const subject = streamSubjects.get(streamId);
      if (subject === undefined || subject === 'mixed') return;
      if (subject === null) return innerSnapshots.saveSnapshot(streamId, key, snapshot);
      const dataKey = (await keys.keysOf([subject])).get(subject);
      if (!dataKey) return; // shredded meanwhile: nothing of theirs is kept again
      const state = { [SEALED_STATE]: { subject, key: keyIdOf(dataKey), state: seal(dataKey, JSON.stringify(snapshot.state), snapshotContext(streamId, key, snapshot.revision)) } };
      return innerSnapshots.saveSnapshot(streamId, key, { ...snapshot, state });
    },
  });

  return {
    append: async (streamId, events, expected, appendOptions) =>
      inner.append(streamId, await Promise.all(events.map((event) => sealEvent(event, (personId) => keys.keyFor(personId)))), expected, appendOptions),
    readStream,
    async readAll(from, max, filter) {
      const result = await inner.readAll(from, max, filter);
      return { ...result, events: await openEvents(result.events) };
    },
    async *subscribe(from, subscribeOptions) {
      for await (const event of inner.subscribe(from, subscribeOptions)) {
        const [opened] = await openEvents([event]);
        yield opened!;
      }
    },
    headPosition: () => inner.headPosition(),
    lastCommittedPosition: () => inner.lastCommittedPosition(),
    ...(inner.onAppend ? { onAppend: inner.onAppend.bind(inner) } : {}),
    ...(inner.snapshots ? { snapshots: snapshots(inner.snapshots) } : {}),
    close: () => inner.close(),
  };
};
