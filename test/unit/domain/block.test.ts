import { describe, it } from 'vitest';
import { blockDecider, type BlockEvent } from '../../../domain/block/block.js';
import { deciderSpec, failsWith } from '../../support/decider-spec.js';

const { given } = deciderSpec(blockDecider);

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';
const now = '2025-03-01T10:00:00.000Z';

const blocked: BlockEvent = { type: 'Blocked', data: { blockerId: ann, blockedId: bob, blockedAt: now } };
const unblocked: BlockEvent = { type: 'Unblocked', data: { blockerId: ann, blockedId: bob } };
const block = { type: 'Block', blockerId: ann, blockedId: bob, now } as const;
const unblock = { type: 'Unblock', blockerId: ann, blockedId: bob } as const;

describe('Block', () => {
  it('blocks', () => given([]).when(block).then([blocked]));
  it('refuses to block yourself', () => given([]).when({ ...block, blockedId: ann }).then(failsWith(422, 'CANNOT_BLOCK_SELF')));
  it('emits nothing when already blocked', () => given([blocked]).when(block).then([]));
  it('blocks again after an unblock', () => given([blocked, unblocked]).when(block).then([blocked]));
});

describe('Unblock', () => {
  it('unblocks', () => given([blocked]).when(unblock).then([unblocked]));
  it('emits nothing when not blocked', () => given([]).when(unblock).then([]));
  it('emits nothing after an unblock', () => given([blocked, unblocked]).when(unblock).then([]));
});
