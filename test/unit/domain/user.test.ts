import { describe, expect, it } from 'vitest';
import { fold } from '../../../domain/decider.js';
import { userDecider, type UserEvent } from '../../../domain/user/user.js';
import type { UploadedMediaItem } from '../../../events/index.js';
import { deciderSpec, failsWith } from '../../support/decider-spec.js';

const { given } = deciderSpec(userDecider);

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';
const now = '2025-03-01T10:00:00.000Z';

const registered: UserEvent = { type: 'UserRegistered', data: { userId: ann, username: 'ann', displayName: 'Ann', registeredAt: now } };
const register = { type: 'RegisterUser', userId: ann, username: 'ann', displayName: 'Ann', now } as const;
const update = (fields: { displayName?: string; bio?: string }, actorId = ann) =>
  ({ type: 'UpdateProfile', actorId, userId: ann, ...fields }) as const;
const setPrivate = (value: boolean, actorId = ann) => ({ type: 'ChangePrivacy', actorId, userId: ann, private: value }) as const;

describe('RegisterUser', () => {
  it('registers', () => given([]).when(register).then([registered]));
  it('stores the username normalized', () => given([]).when({ ...register, username: ' ANN ' }).then([registered]));
  it('refuses a second registration of the same user', () => given([registered]).when(register).then(failsWith(409, 'USER_EXISTS')));
  it('refuses a username outside the pattern', () =>
    given([]).when({ ...register, username: 'ann!' }).then(failsWith(400, 'INVALID_USERNAME')));
  it('starts public with an empty bio', () =>
    expect(fold(userDecider, [registered])).toEqual({
      status: 'active',
      userId: ann,
      username: 'ann',
      displayName: 'Ann',
      bio: '',
      private: false,
      avatarId: null,
      verified: false,
    }));
});

describe('UpdateProfile', () => {
  it('emits only the fields that changed', () =>
    given([registered])
      .when(update({ displayName: 'Ann', bio: 'photos' }))
      .then([{ type: 'ProfileUpdated', data: { userId: ann, bio: 'photos' } }]));
  it('emits both fields when both changed', () =>
    given([registered])
      .when(update({ displayName: 'Ann Lee', bio: 'photos' }))
      .then([{ type: 'ProfileUpdated', data: { userId: ann, displayName: 'Ann Lee', bio: 'photos' } }]));
  it('emits nothing when nothing changed', () => given([registered]).when(update({ displayName: 'Ann', bio: '' })).then([]));
  it('emits nothing when no field is given', () => given([registered]).when(update({})).then([]));
  it('reports an unknown user', () => given([]).when(update({ bio: 'x' })).then(failsWith(404, 'USER_NOT_FOUND')));
  it('is only for the owner', () => given([registered]).when(update({ bio: 'x' }, bob)).then(failsWith(403, 'NOT_OWNER')));
  it('takes a bio of 150 emoji as it is (the event contract counts an emoji as one character)', () =>
    given([registered])
      .when(update({ bio: '📷'.repeat(150) }))
      .then([{ type: 'ProfileUpdated', data: { userId: ann, bio: '📷'.repeat(150) } }]));
  it('keeps the fields an update leaves out', () => {
    const state = fold(userDecider, [registered, { type: 'ProfileUpdated', data: { userId: ann, bio: 'photos' } }]);
    expect(state).toMatchObject({ displayName: 'Ann', bio: 'photos' });
  });
});

describe('ChangePrivacy', () => {
  it('makes an account private', () => given([registered]).when(setPrivate(true)).then([{ type: 'PrivacyChanged', data: { userId: ann, private: true } }]));
  it('emits nothing when the setting is unchanged', () => given([registered]).when(setPrivate(false)).then([]));
  it('makes a private account public again', () =>
    given([registered, { type: 'PrivacyChanged', data: { userId: ann, private: true } }])
      .when(setPrivate(false))
      .then([{ type: 'PrivacyChanged', data: { userId: ann, private: false } }]));
  it('reports an unknown user', () => given([]).when(setPrivate(true)).then(failsWith(404, 'USER_NOT_FOUND')));
  it('is only for the owner', () => given([registered]).when(setPrivate(true, bob)).then(failsWith(403, 'NOT_OWNER')));
});

describe('SetAvatar', () => {
  const photo = (mediaId: string): UploadedMediaItem => ({
    mediaId,
    type: 'image',
    width: 640,
    height: 640,
    blurhash: 'LEHV6nWB2yk8',
    dominantColor: '#336699',
    detectedType: 'image/jpeg',
    variants: [{ name: 'w640', key: `media/${mediaId}/w640.webp`, width: 640, height: 640, contentType: 'image/webp', size: 100 }],
  });
  const first = photo('0190c000-0000-7000-8000-000000000001');
  const second = photo('0190c000-0000-7000-8000-000000000002');
  const setAvatar = (avatar: UploadedMediaItem | null, actorId = ann) => ({ type: 'SetAvatar', actorId, userId: ann, avatar, now }) as const;
  const changed = (avatar: UploadedMediaItem | null): UserEvent => ({ type: 'AvatarChanged', data: { userId: ann, avatar, changedAt: now } });

  it('sets an avatar', () => given([registered]).when(setAvatar(first)).then([changed(first)]));
  it('replaces the avatar', () => given([registered, changed(first)]).when(setAvatar(second)).then([changed(second)]));
  it('emits nothing for the avatar it has (a retried request)', () => given([registered, changed(first)]).when(setAvatar(first)).then([]));
  it('removes the avatar', () => given([registered, changed(first)]).when(setAvatar(null)).then([changed(null)]));
  it('emits nothing when removing no avatar', () => given([registered]).when(setAvatar(null)).then([]));
  it('is only for the owner', () => given([registered]).when(setAvatar(first, bob)).then(failsWith(403, 'NOT_OWNER')));
  it('reports an unknown user', () => given([]).when(setAvatar(first)).then(failsWith(404, 'USER_NOT_FOUND')));
  it('keeps the avatar id in the state', () => expect(fold(userDecider, [registered, changed(first)])).toMatchObject({ avatarId: first.mediaId }));
});

describe('RequestAccountDeletion, RestoreAccount and EraseAccount', () => {
  const later = '2025-03-31T10:00:00.000Z'; // now plus a 30-day grace
  const justBefore = '2025-03-31T09:59:59.999Z';
  const requested: UserEvent = { type: 'AccountDeletionRequested', data: { userId: ann, requestedAt: now, eraseAfter: later } };
  const restored = (at: string): UserEvent => ({ type: 'AccountRestored', data: { userId: ann, restoredAt: at } });
  const erased = (at: string): UserEvent => ({ type: 'AccountErased', data: { userId: ann, erasedAt: at } });
  const requestDeletion = (actorId = ann, at = now, eraseAfter = later) => ({ type: 'RequestAccountDeletion', actorId, userId: ann, now: at, eraseAfter }) as const;
  const restore = (at: string, actorId = ann) => ({ type: 'RestoreAccount', actorId, userId: ann, now: at }) as const;
  const erase = (at: string) => ({ type: 'EraseAccount', userId: ann, now: at }) as const;

  describe('given an active account', () => {
    it('a deletion request by its owner starts the grace period', () => given([registered]).when(requestDeletion()).then([requested]));
    it('the account is deleting with every field kept, until eraseAfter', () =>
      expect(fold(userDecider, [registered, requested])).toEqual({
        status: 'deleting',
        userId: ann,
        username: 'ann',
        displayName: 'Ann',
        bio: '',
        private: false,
        avatarId: null,
        verified: false,
        eraseAfter: later,
      }));
    it('a deletion request by another user is NOT_OWNER', () => given([registered]).when(requestDeletion(bob)).then(failsWith(403, 'NOT_OWNER')));
    it('a restore is the wish already granted: nothing', () => given([registered]).when(restore(now)).then([]));
    it('a restore by another user is NOT_OWNER', () => given([registered]).when(restore(now, bob)).then(failsWith(403, 'NOT_OWNER')));
    it('an erasure is refused (ACCOUNT_NOT_DELETING)', () => given([registered]).when(erase(later)).then(failsWith(409, 'ACCOUNT_NOT_DELETING')));
  });

  describe('given an account in its grace period', () => {
    it('a second deletion request is nothing, keeping the first deadline', () =>
      given([registered, requested]).when(requestDeletion(ann, justBefore, '2025-05-01T00:00:00.000Z')).then([]));
    it('a restore by its owner 1 ms before eraseAfter ends the grace', () => given([registered, requested]).when(restore(justBefore)).then([restored(justBefore)]));
    it('the restored account is active again, as it was', () => expect(fold(userDecider, [registered, requested, restored(now)])).toEqual(fold(userDecider, [registered])));
    it('a restore at eraseAfter is refused (ACCOUNT_ERASURE_STARTED)', () => given([registered, requested]).when(restore(later)).then(failsWith(409, 'ACCOUNT_ERASURE_STARTED')));
    it('a restore by another user is NOT_OWNER', () => given([registered, requested]).when(restore(now, bob)).then(failsWith(403, 'NOT_OWNER')));
    it('an erasure before eraseAfter is refused (ACCOUNT_NOT_DELETING)', () =>
      given([registered, requested]).when(erase(justBefore)).then(failsWith(409, 'ACCOUNT_NOT_DELETING')));
    it('an erasure at eraseAfter erases it', () => given([registered, requested]).when(erase(later)).then([erased(later)]));
    it('profile edits by the owner are ACCOUNT_DELETION_PENDING', () => given([registered, requested]).when(update({ bio: 'x' })).then(failsWith(403, 'ACCOUNT_DELETION_PENDING')));
    it('profile edits by anyone else answer as for an unknown user', () => given([registered, requested]).when(update({ bio: 'x' }, bob)).then(failsWith(404, 'USER_NOT_FOUND')));
  });

  describe('given a restored account', () => {
    it('a new deletion request starts a new grace period', () =>
      given([registered, requested, restored(now)])
        .when(requestDeletion(ann, justBefore, '2025-04-30T09:59:59.999Z'))
        .then([{ type: 'AccountDeletionRequested', data: { userId: ann, requestedAt: justBefore, eraseAfter: '2025-04-30T09:59:59.999Z' } }]));
    it('an erasure is refused (ACCOUNT_NOT_DELETING)', () => given([registered, requested, restored(now)]).when(erase(later)).then(failsWith(409, 'ACCOUNT_NOT_DELETING')));
  });

  describe('given an erased account', () => {
    const history = [registered, requested, erased(later)];
    it('keeps only the id', () => expect(fold(userDecider, history)).toEqual({ status: 'erased', userId: ann }));
    it('a second erasure is nothing', () => given(history).when(erase('2026-01-01T00:00:00.000Z')).then([]));
    it('a restore answers as for an unknown user', () => given(history).when(restore(later)).then(failsWith(404, 'USER_NOT_FOUND')));
    it('a deletion request answers as for an unknown user', () => given(history).when(requestDeletion()).then(failsWith(404, 'USER_NOT_FOUND')));
    it('profile edits answer as for an unknown user', () => given(history).when(update({ bio: 'x' })).then(failsWith(404, 'USER_NOT_FOUND')));
  });

  describe('given no account', () => {
    it('a deletion request is USER_NOT_FOUND', () => given([]).when(requestDeletion()).then(failsWith(404, 'USER_NOT_FOUND')));
    it('a restore is USER_NOT_FOUND', () => given([]).when(restore(now)).then(failsWith(404, 'USER_NOT_FOUND')));
    it('an erasure is ACCOUNT_NOT_DELETING', () => given([]).when(erase(later)).then(failsWith(409, 'ACCOUNT_NOT_DELETING')));
  });
});
