import { gql, type GraphqlResponse } from './graphql';
import type { TestServer } from './test-server';
import { setUserRoleByCli } from './user-role';
import { signUpUser, type TestUser } from './users';

export const REPORT_USER = `mutation($userId: ID!, $reason: String!, $roomId: ID!) {
  reportUser(userId: $userId, reason: $reason, roomId: $roomId)
}`;

const REPORT_FIELDS = 'id reason roomId status action reportedQuarantined reporter { id } reported { id }';

export const REPORTS = `query($status: ReportStatus, $first: Int, $after: String) {
  reports(status: $status, first: $first, after: $after) {
    edges { cursor node { ${REPORT_FIELDS} } } pageInfo { hasNextPage endCursor }
  }
}`;

export const REPORT = `query($id: ID!) {
  report(id: $id) {
    ${REPORT_FIELDS} evidencePurged roomClosedAt
    evidence { id seq body sender { id } image { url thumbnailUrl } }
  }
}`;

export const RESOLVE = `mutation($id: ID!, $action: ModerationAction!, $hours: Int, $note: String) {
  resolveReport(id: $id, action: $action, hours: $hours, note: $note) { ${REPORT_FIELDS} resolvedAt }
}`;

export const MODERATION_LOG = `query($first: Int, $after: String) {
  moderationLog(first: $first, after: $after) {
    edges { node { id action reportId roomId hours note moderator { id } subject { id } createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** A user made moderator with the `npm run user:role` command, as an operator does. */
export async function signUpModerator(api: TestServer): Promise<TestUser> {
  const moderator = await signUpUser(api.graphqlUrl, { nickname: 'Moderator' });
  await setUserRoleByCli(api.backend, moderator.email, 'MODERATOR');
  return moderator;
}

/** `reporter` reports `reportedId` from `roomId`. */
export function report(
  api: { graphqlUrl: string },
  reporter: { accessToken: string },
  reportedId: string,
  roomId: string,
  reason = 'rude messages',
): Promise<GraphqlResponse<{ reportUser: boolean }>> {
  return gql(api.graphqlUrl, REPORT_USER, { userId: reportedId, reason, roomId }, { token: reporter.accessToken });
}
