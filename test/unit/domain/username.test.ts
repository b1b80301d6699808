import { describe, expect, it } from 'vitest';
import { USERNAME_PATTERN } from '../../../kernel/limits.js';
import { normalizeUsername, usernameDecider, type UsernameEvent } from '../../../domain/username/username.js';
import { deciderSpec, failsWith } from '../../support/decider-spec.js';

const { given } = deciderSpec(usernameDecider);

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';

const reservedByAnn: UsernameEvent = { type: 'UsernameReserved', data: { username: 'ann.lee', userId: ann } };
const releasedByAnn: UsernameEvent = { type: 'UsernameReleased', data: { username: 'ann.lee', userId: ann } };
const reserve = (userId: string, username = 'ann.lee') => ({ type: 'ReserveUsername', username, userId }) as const;
const release = (userId: string) => ({ type: 'ReleaseUsername', username: 'ann.lee', userId }) as const;

describe('ReserveUsername', () => {
  it('reserves a free name', () => given([]).when(reserve(ann)).then([reservedByAnn]));
  it('stores the name normalized', () => given([]).when(reserve(ann, '  Ann.Lee ')).then([reservedByAnn]));
  it('refuses a name another user holds', () => given([reservedByAnn]).when(reserve(bob)).then(failsWith(409, 'USERNAME_TAKEN')));
  it('emits nothing when the same user reserves again (a retried registration)', () =>
    given([reservedByAnn]).when(reserve(ann)).then([]));
  it('lets another user take a released name', () =>
    given([reservedByAnn, releasedByAnn])
      .when(reserve(bob))
      .then([{ type: 'UsernameReserved', data: { username: 'ann.lee', userId: bob } }]));
  it('refuses a name outside the pattern', () => given([]).when(reserve(ann, 'ann lee!')).then(failsWith(400, 'INVALID_USERNAME')));
  it('refuses a name longer than 30 characters', () => given([]).when(reserve(ann, 'a'.repeat(31))).then(failsWith(400, 'INVALID_USERNAME')));
});

describe('ReleaseUsername', () => {
  it('releases a name its holder gives up', () => given([reservedByAnn]).when(release(ann)).then([releasedByAnn]));
  it('emits nothing when someone else holds it', () => given([reservedByAnn]).when(release(bob)).then([]));
  it('emits nothing when nobody holds it', () => given([]).when(release(ann)).then([]));
});

describe('normalizeUsername and USERNAME_PATTERN', () => {
  it('trims and lowercases', () => expect(normalizeUsername('  Ann_Lee.99 ')).toBe('ann_lee.99'));
  it("accepts Instagram's characters and length", () => {
    expect(USERNAME_PATTERN.test('a')).toBe(true);
    expect(USERNAME_PATTERN.test('ann_lee.99')).toBe(true);
    expect(USERNAME_PATTERN.test('a'.repeat(30))).toBe(true);
  });
  it('rejects empty, too long, upper case and other characters', () => {
    for (const bad of ['', 'a'.repeat(31), 'Ann', 'ann-lee', 'ann lee', 'ann@x']) expect(USERNAME_PATTERN.test(bad)).toBe(false);
  });
});
