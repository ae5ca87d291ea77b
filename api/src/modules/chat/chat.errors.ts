import { ForbiddenError } from '../../infra/graphql/errors';

/**
 * The one refusal of everything room-scoped to anyone but a member who has not left: strangers,
 * unknown room ids and members who left all read the same, so ids cannot be probed.
 */
export const notAMember = (roomId: string): ForbiddenError =>
  new ForbiddenError(`You are not a member of room ${roomId}`);
