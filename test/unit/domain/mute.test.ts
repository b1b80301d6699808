import { describe, it } from 'vitest';
import { muteDecider, type MuteEvent } from '../../../domain/mute/mute.js';
import { deciderSpec, failsWith } from '../../support/decider-spec.js';

const { given } = deciderSpec(muteDecider);

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';
const now = '2025-03-01T10:00:00.000Z';

const muted: MuteEvent = { type: 'Muted', data: { muterId: ann, mutedId: bob, mutedAt: now } };
const unmuted: MuteEvent = { type: 'Unmuted', data: { muterId: ann, mutedId: bob } };
const mute = { type: 'Mute', muterId: ann, mutedId: bob, blockedEitherWay: false, now } as const;
const unmute = { type: 'Unmute', muterId: ann, mutedId: bob } as const;

describe('Mute', () => {
  it('mutes', () => given([]).when(mute).then([muted]));
  it('refuses to mute yourself', () => given([]).when({ ...mute, mutedId: ann }).then(failsWith(422, 'CANNOT_MUTE_SELF')));
  it('answers a block either way as an unknown account', () => given([]).when({ ...mute, blockedEitherWay: true }).then(failsWith(404, 'USER_NOT_FOUND')));
  it('emits nothing when already muted', () => given([muted]).when(mute).then([]));
  it('mutes again after an unmute', () => given([muted, unmuted]).when(mute).then([muted]));
});

describe('Unmute', () => {
  it('unmutes', () => given([muted]).when(unmute).then([unmuted]));
  it('emits nothing when not muted', () => given([]).when(unmute).then([]));
  it('emits nothing after an unmute', () => given([muted, unmuted]).when(unmute).then([]));
});
