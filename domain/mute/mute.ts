import type { EventsOf } from '../../events/registry.js';
import { fromTransition, unhandled, type Decider, type SnapshotPolicy } from '../decider.js';
import { ruleBroken } from '../../kernel/errors.js';
import { userNotFound } from '../user/user.js';

// A mute hides the muted account's posts and stories from the muter's home feed and stories tray
// (read-api/routes/feed-routes.ts, story-routes.ts); it ends no follow, and the muted account is
// never told. Intents, not toggles: muting twice (or unmuting what is not muted) changes nothing.

// ---- Commands

export interface Mute {
  type: 'Mute';
  muterId: string;
  mutedId: string;
  /** A block either way stands between the two (commands/facts.ts isBlockedEitherWay): the account answers as unknown. */
  blockedEitherWay: boolean;
  now: string;
}

/** Needs no facts: it only ever cleans up (a block, a deletion or an erasure may stand in between). */
export interface Unmute {
  type: 'Unmute';
  muterId: string;
  mutedId: string;
}

export type MuteCommand = Mute | Unmute;

// ---- State

/** Stream mute-{muterId}-{mutedId}: one direction only. */
export interface MuteState {
  muted: boolean;
}

// The stream grows with mute/unmute: snapshotted (domain/decider.ts). Bump the key when MuteState changes.
const snapshot: SnapshotPolicy = { key: 'mute.v1' };

// ---- Events

export type MuteEvent = EventsOf<'Muted' | 'Unmuted'>;

// ---- Decide

export const decideMute = (command: MuteCommand, state: MuteState): MuteEvent[] => {
  switch (command.type) {
    case 'Mute':
      return mute(command, state);
    case 'Unmute':
      return unmute(command, state);
    default:
      return unhandled(command);
  }
};

const mute = ({ muterId, mutedId, blockedEitherWay, now }: Mute, state: MuteState): MuteEvent[] => {
  if (muterId === mutedId) throw ruleBroken('CANNOT_MUTE_SELF', 'You cannot mute yourself');
  // As a follow behind a block: the same 404 as an unknown username (docs/rules.md "The social graph").
  if (blockedEitherWay) throw userNotFound();
  return state.muted ? [] : [{ type: 'Muted', data: { muterId, mutedId, mutedAt: now } }];
};

const unmute = ({ muterId, mutedId }: Unmute, state: MuteState): MuteEvent[] =>
  state.muted ? [{ type: 'Unmuted', data: { muterId, mutedId } }] : [];

// ---- Transition

export const muteTransition = (state: MuteState, event: MuteEvent): MuteState | null => {
  switch (event.type) {
    case 'Muted':
      return state.muted ? null : { muted: true };
    case 'Unmuted':
      return state.muted ? { muted: false } : null;
  }
};

export const { evolve: evolveMute, canApply: canApplyMuteEvent } = fromTransition(muteTransition);

const initialState = (): MuteState => ({ muted: false });

export const muteDecider: Decider<MuteCommand, MuteState, MuteEvent> = { decide: decideMute, evolve: evolveMute, initialState, snapshot };
