import { notificationsDecider } from '../../domain/notifications/notifications.js';
import { streams } from '../../events/index.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { answerWithPosition } from '../handle-command.js';

export interface MarkReadInput {
  userId: string;
  ids?: readonly string[] | undefined;
  upTo?: string | undefined;
}

// POST /api/v1/notifications/read: the mark is an event, so that read state survives a rebuild
// of the notifications read model (the projection applies it like any other event).
export const markNotificationsRead = (deps: CommandDeps, { userId, ids, upTo }: MarkReadInput, ctx: CommandContext) =>
  answerWithPosition(
    {},
    {
      store: deps.store,
      stream: streams.notifications(userId),
      decider: notificationsDecider,
      command: () => ({ type: 'MarkNotificationsRead', userId, ids, upTo }),
      ctx,
    },
  );
