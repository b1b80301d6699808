import { notificationsDecider } from '../../domain/notifications/notifications.js';
import { streams } from '../../events/index.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { handleCommand } from '../handle-command.js';

export interface MarkReadInput {
  ids?: readonly string[] | undefined;
  upTo?: string | undefined;
}

// POST /api/v1/notifications/read: the mark is an event, so that read state survives a rebuild
// of the notifications read model (the projection applies it like any other event).
export const markNotificationsRead = async (deps: CommandDeps, userId: string, input: MarkReadInput, ctx: CommandContext) => {
  const { position } = await handleCommand(
    deps.store,
    streams.notifications(userId),
    notificationsDecider,
    () => ({ type: 'MarkNotificationsRead', userId, ids: input.ids, upTo: input.upTo, now: ctx.now }),
    ctx,
  );
  return { position };
};
