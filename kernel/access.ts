// Who may see (and act on) someone's posts, stories and lists (docs/rules.md): the one rule, as
// a table over the relationship facts, with its TypeScript form read off the table. The write
// side (domain/access.ts, commands/facts.ts) and the read side (projections/profiles/
// reader-users.ts `canSee`) both decide through `accessTo`; the SQL form that decides it where
// the facts are stored is projections/profiles/access-sql.ts, checked case by case against this
// table by test/integration/access-rule.test.ts.

/** Where a follow from one user to another stands. */
export type FollowStatus = 'none' | 'requested' | 'following';

/** The rule's answer: the content is shown, or refused and why. */
export type Access = 'allowed' | 'blocked' | 'private';

/** The read side's answer: the rule's, or 'unknown' when there is no such (registered) owner. */
export type ContentAccess = Access | 'unknown';

/** The relationship between the actor (viewer) and the owner (author) that the rule reads. */
export interface RelationshipFacts {
  /** The actor is the owner. */
  self: boolean;
  /** A block exists between actor and owner, in either direction. */
  blockedEitherWay: boolean;
  ownerIsPrivate: boolean;
  /** The actor's follow of the owner is accepted (a pending request is not a follow). */
  actorFollowsOwner: boolean;
}

export interface AccessRuleRow {
  /** The facts this row asks about; a fact left out matches either way. */
  when: Partial<RelationshipFacts>;
  access: Access;
  why: string;
}

/** The rule: the FIRST row whose facts match decides; the last row matches everything. */
export const ACCESS_RULE: readonly AccessRuleRow[] = [
  { when: { self: true }, access: 'allowed', why: 'everyone sees their own content' },
  {
    when: { blockedEitherWay: true },
    access: 'blocked',
    why: 'a block, either way, wins over everything else, including an old follow a projection may still hold',
  },
  { when: { ownerIsPrivate: true, actorFollowsOwner: false }, access: 'private', why: 'a private account shows itself only to its followers' },
  { when: {}, access: 'allowed', why: 'a public account, or a private one the actor follows' },
];

const matches = (when: Partial<RelationshipFacts>, facts: RelationshipFacts): boolean =>
  (Object.keys(when) as (keyof RelationshipFacts)[]).every((fact) => when[fact] === facts[fact]);

/** The four facts as one number, a bit each: the index into the rule's answers below. */
const factBits = (self: boolean, blockedEitherWay: boolean, ownerIsPrivate: boolean, actorFollowsOwner: boolean): number =>
  (self ? 1 : 0) | (blockedEitherWay ? 2 : 0) | (ownerIsPrivate ? 4 : 0) | (actorFollowsOwner ? 8 : 0);

/**
 * The rule's answer for each of the 16 combinations of facts, read off the table once: every read
 * decides access per post (a home page: 20 times), and walking the rows' facts each time was a
 * visible part of a page's CPU.
 */
const ANSWERS: readonly Access[] = Array.from({ length: 16 }, (_, bits) => {
  const facts: RelationshipFacts = { self: (bits & 1) !== 0, blockedEitherWay: (bits & 2) !== 0, ownerIsPrivate: (bits & 4) !== 0, actorFollowsOwner: (bits & 8) !== 0 };
  return ACCESS_RULE.find((row) => matches(row.when, facts))!.access;
});

/** The access the rule gives for these relationship facts. */
export const accessFor = ({ self, blockedEitherWay, ownerIsPrivate, actorFollowsOwner }: RelationshipFacts): Access =>
  ANSWERS[factBits(self, blockedEitherWay, ownerIsPrivate, actorFollowsOwner)]!;

/** What a caller reads from wherever it stands (the write side's streams, a read model's rows). */
export interface AccessFacts {
  actorId: string;
  ownerId: string;
  ownerIsPrivate: boolean;
  actorFollowsOwner: boolean;
  /** A block exists between actor and owner, in either direction. */
  blockedEitherWay: boolean;
}

/** May `actorId` see `ownerId`'s content? Pure: the caller reads the facts. */
export const accessTo = ({ actorId, ownerId, ownerIsPrivate, actorFollowsOwner, blockedEitherWay }: AccessFacts): Access =>
  ANSWERS[factBits(actorId === ownerId, blockedEitherWay, ownerIsPrivate, actorFollowsOwner)]!;

/**
 * Whether a post's tag of someone shows to a viewer (docs/rules.md "Who may see whom"): not when a
 * block stands between the viewer and the tagged person, either way. The post itself is the
 * author's, decided by `accessTo`; a block with a person tagged on it hides that person's name
 * from the card only, as the block hides their profile and content everywhere else. One's own tag
 * always shows to oneself (no one blocks themselves). The SQL form is
 * projections/profiles/access-sql.ts `TAG_SHOWN_TO`.
 */
export const tagShownTo = ({ blockedEitherWay }: Pick<AccessFacts, 'blockedEitherWay'>): boolean => !blockedEitherWay;
