import { muteDecider, type MuteCommand } from '../../domain/mute/mute.js';
import { streams, type Position } from '../../events/index.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { findUserByUsername, isBlockedEitherWay } from '../facts.js';
import { handleCommand, type BuildCommand } from '../handle-command.js';
import { assertRegisteredActor } from '../registered-actor.js';

/** Who mutes (or unmutes) whom, the other account named as in the route. */
export interface MuteInput {
  muterId: string;
  username: string;
}

/** A pair the erasure worker ends (workers/erasure): both ids known, no username left to find. */
export interface MutePair {
  muterId: string;
  mutedId: string;
}

/** One command on the mute-{muterId}-{mutedId} stream, answered with whether the account is muted now (as bookmarks answer). */
const onMuteStream = async (deps: CommandDeps, { muterId, mutedId }: MutePair, command: BuildCommand<MuteCommand>, ctx: CommandContext) => {
  const { state, position } = await handleCommand({ store: deps.store, stream: streams.mute(muterId, mutedId), decider: muteDecider, command, ctx });
  return { muted: state.muted, position };
};

/**
 * Mutes: one stream, nothing else changes (no follow ends). The block is read on every attempt;
 * a block landing after the append needs no take-back, since the access rule hides the account
 * anyway and a mute only ever hides more.
 */
export const mute = async (deps: CommandDeps, { muterId, username }: MuteInput, ctx: CommandContext): Promise<{ muted: boolean; position: Position }> => {
  const [{ userId: mutedId }] = await Promise.all([findUserByUsername(deps.store, username), assertRegisteredActor(deps.store, muterId)]);
  return onMuteStream(
    deps,
    { muterId, mutedId },
    async () => ({ type: 'Mute', muterId, mutedId, blockedEitherWay: await isBlockedEitherWay(deps.store, muterId, mutedId) }),
    ctx,
  );
};

export const unmute = async (deps: CommandDeps, { muterId, username }: MuteInput, ctx: CommandContext): Promise<{ muted: boolean; position: Position }> => {
  const { userId: mutedId } = await findUserByUsername(deps.store, username);
  return endMute(deps, { muterId, mutedId }, ctx);
};

/** Unmute by ids: the route's, and the erasure worker's for an account that no longer has a username. */
export const endMute = (deps: CommandDeps, pair: MutePair, ctx: CommandContext): Promise<{ muted: boolean; position: Position }> =>
  onMuteStream(deps, pair, () => ({ type: 'Unmute', ...pair }), ctx);
