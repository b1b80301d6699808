import type { EventsOf } from '../../events/registry.js';

/** Stream block-{blockerId}-{blockedId}: one direction only; "blocked either way" reads both. */
export interface BlockState {
  blocked: boolean;
}

export interface Block {
  type: 'Block';
  blockerId: string;
  blockedId: string;
  now: string;
}

export interface Unblock {
  type: 'Unblock';
  blockerId: string;
  blockedId: string;
}

export type BlockCommand = Block | Unblock;

export type BlockEvent = EventsOf<'Blocked' | 'Unblocked'>;
