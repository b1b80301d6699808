import type { Answer } from '../../api/client';

export type Profile = Answer<'/api/v1/users/{username}', 'get'>;
export type UserSummary = Answer<'/api/v1/users/{username}/followers', 'get'>['items'][number];
export type FollowStatus = Answer<'/api/v1/users/{username}/follow', 'post'>['status'];

export const statusOf = (relationship: Profile['relationship']): FollowStatus => (relationship.following ? 'following' : relationship.requested ? 'requested' : 'none');

export { plural } from '../../text';
