import type { Access } from '../domain/access.js';
import type { CommandDeps } from './deps.js';
import { loadAccess } from './facts.js';

// Write-time re-check (docs/architecture.md "Cross-stream races"; review F20). A like, comment,
// bookmark or story view is decided on the block and privacy facts it read, then appended to its
// own stream; a block or a switch to private appended in between is not seen by that decision,
// and neither the block nor the privacy change looks for engagement to undo. So, as a follow does
// (commands/graph/follow.ts), the engagement looks again after its append: each side writes its
// own fact before reading the other's, so when the block (or privacy change) landed first this
// second look sees it, and when it landed after, the engagement is one made before it.

/**
 * The access of `actorId` to `ownerId`'s content as it is after an engagement was appended; when
 * it no longer allows the engagement, `takeBack` has undone it. The caller then refuses as a fresh
 * attempt would (a block as the missing thing, a private account 403), from the access answered.
 */
export const accessAfterAppend = async (
  deps: CommandDeps,
  { actorId, ownerId }: { actorId: string; ownerId: string },
  takeBack: () => Promise<unknown>,
): Promise<Access> => {
  const access = await loadAccess(deps.store, actorId, ownerId);
  if (access !== 'allowed') await takeBack();
  return access;
};
