/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Me {\n    me {\n      ...MeFields\n    }\n  }\n": typeof types.MeDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      ...MeFields\n    }\n  }\n": typeof types.UpdateProfileDocument,
    "\n  mutation SetProfilePhoto($uploadId: ID!) {\n    setProfilePhoto(uploadId: $uploadId) {\n      ...MeFields\n    }\n  }\n": typeof types.SetProfilePhotoDocument,
    "\n  mutation RemoveProfilePhoto {\n    removeProfilePhoto {\n      ...MeFields\n    }\n  }\n": typeof types.RemoveProfilePhotoDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      ...SessionFields\n    }\n  }\n": typeof types.ChangePasswordDocument,
    "\n  mutation DeleteAccount($password: String!) {\n    deleteAccount(password: $password)\n  }\n": typeof types.DeleteAccountDocument,
    "\n  fragment MeFields on User {\n    id\n    nickname\n    gender\n    birthYear\n    age\n    maskedEmail\n    phoneVerified\n    maskedPhone\n    createdAt\n    role\n    photo {\n      url\n      thumbnailUrl\n    }\n  }\n": typeof types.MeFieldsFragmentDoc,
    "\n  fragment SessionFields on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    user {\n      ...MeFields\n    }\n  }\n": typeof types.SessionFieldsFragmentDoc,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      ...SessionFields\n    }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      ...SessionFields\n    }\n  }\n": typeof types.LogInDocument,
    "\n  mutation RefreshSession {\n    refreshToken {\n      ...SessionFields\n    }\n  }\n": typeof types.RefreshSessionDocument,
    "\n  mutation LogOut {\n    logOut\n  }\n": typeof types.LogOutDocument,
    "\n  mutation RequestEmailCode($email: String!) {\n    requestEmailCode(email: $email)\n  }\n": typeof types.RequestEmailCodeDocument,
    "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": typeof types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input)\n  }\n": typeof types.ResetPasswordDocument,
    "\n  mutation RequestUnlockCode($email: String!) {\n    requestUnlockCode(email: $email)\n  }\n": typeof types.RequestUnlockCodeDocument,
    "\n  mutation UnlockAccount($input: UnlockAccountInput!) {\n    unlockAccount(input: $input)\n  }\n": typeof types.UnlockAccountDocument,
    "\n  query Rooms($first: Int!, $after: String) {\n    rooms(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...RoomParts\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.RoomsDocument,
    "\n  query Room($id: ID!) {\n    room(id: $id) {\n      ...RoomParts\n    }\n  }\n": typeof types.RoomDocument,
    "\n  query Messages($roomId: ID!, $last: Int!, $before: String) {\n    messages(roomId: $roomId, last: $last, before: $before) {\n      edges {\n        node {\n          ...MessageParts\n        }\n      }\n      pageInfo {\n        hasPreviousPage\n        startCursor\n      }\n    }\n  }\n": typeof types.MessagesDocument,
    "\n  query MessagesAfter($roomId: ID!, $afterSeq: Int!, $first: Int!) {\n    messagesAfter(roomId: $roomId, afterSeq: $afterSeq, first: $first) {\n      ...MessageParts\n    }\n  }\n": typeof types.MessagesAfterDocument,
    "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      ...MessageParts\n    }\n  }\n": typeof types.SendMessageDocument,
    "\n  mutation MarkRoomRead($roomId: ID!, $seq: Int!) {\n    markRoomRead(roomId: $roomId, seq: $seq) {\n      id\n      unreadCount\n      lastReadSeq\n    }\n  }\n": typeof types.MarkRoomReadDocument,
    "\n  mutation SetTyping($roomId: ID!) {\n    setTyping(roomId: $roomId)\n  }\n": typeof types.SetTypingDocument,
    "\n  mutation LeaveRoom($roomId: ID!) {\n    leaveRoom(roomId: $roomId)\n  }\n": typeof types.LeaveRoomDocument,
    "\n  mutation BlockUser($userId: ID!) {\n    blockUser(userId: $userId)\n  }\n": typeof types.BlockUserDocument,
    "\n  mutation ReportUser($userId: ID!, $reason: String!, $roomId: ID!) {\n    reportUser(userId: $userId, reason: $reason, roomId: $roomId)\n  }\n": typeof types.ReportUserDocument,
    "\n  subscription RoomEvents($roomId: ID!) {\n    roomEvents(roomId: $roomId) {\n      type\n      roomId\n      userId\n      seq\n      reason\n      message {\n        ...MessageParts\n      }\n    }\n  }\n": typeof types.RoomEventsDocument,
    "\n  fragment UserParts on User {\n    id\n    nickname\n    age\n    gender\n    deleted\n    photo {\n      url\n      thumbnailUrl\n    }\n  }\n": typeof types.UserPartsFragmentDoc,
    "\n  fragment MessageParts on Message {\n    id\n    roomId\n    seq\n    body\n    clientMessageId\n    createdAt\n    masked\n    sender {\n      id\n    }\n    image {\n      url\n      thumbnailUrl\n      width\n      height\n    }\n  }\n": typeof types.MessagePartsFragmentDoc,
    "\n  fragment RoomParts on Room {\n    id\n    closed\n    closedReason\n    distanceKm\n    unreadCount\n    lastReadSeq\n    peerLastReadSeq\n    lastActivityAt\n    createdAt\n    peer {\n      ...UserParts\n    }\n    lastMessage {\n      ...MessageParts\n    }\n  }\n": typeof types.RoomPartsFragmentDoc,
    "\n  fragment MatchEventParts on MatchEvent {\n    type\n    matchId\n    distanceKm\n    expiresAt\n    partner {\n      ...UserParts\n    }\n    room {\n      id\n    }\n  }\n": typeof types.MatchEventPartsFragmentDoc,
    "\n  fragment MatchStatusFields on MatchStatus {\n    state\n    radiusKm\n    accepted\n    offer {\n      ...MatchEventParts\n    }\n  }\n": typeof types.MatchStatusFieldsFragmentDoc,
    "\n  query MatchStatus {\n    matchStatus {\n      ...MatchStatusFields\n    }\n  }\n": typeof types.MatchStatusDocument,
    "\n  mutation RequestMatch($input: MatchRequestInput!) {\n    requestMatch(input: $input) {\n      ...MatchStatusFields\n    }\n  }\n": typeof types.RequestMatchDocument,
    "\n  mutation NextMatch($input: MatchRequestInput!, $roomId: ID) {\n    nextMatch(input: $input, roomId: $roomId) {\n      ...MatchStatusFields\n    }\n  }\n": typeof types.NextMatchDocument,
    "\n  mutation CancelMatch {\n    cancelMatch {\n      ...MatchStatusFields\n    }\n  }\n": typeof types.CancelMatchDocument,
    "\n  mutation RespondToMatch($matchId: ID!, $accept: Boolean!) {\n    respondToMatch(matchId: $matchId, accept: $accept) {\n      ...MatchStatusFields\n    }\n  }\n": typeof types.RespondToMatchDocument,
    "\n  subscription MatchEvents {\n    matchEvents {\n      ...MatchEventParts\n    }\n  }\n": typeof types.MatchEventsDocument,
    "\n  fragment ReportParts on Report {\n    id\n    reason\n    roomId\n    status\n    action\n    createdAt\n    resolvedAt\n    reportedQuarantined\n    reporter {\n      id\n      nickname\n    }\n    reported {\n      id\n      nickname\n      deleted\n    }\n  }\n": typeof types.ReportPartsFragmentDoc,
    "\n  query Reports($status: ReportStatus, $first: Int, $after: String) {\n    reports(status: $status, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...ReportParts\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ReportsDocument,
    "\n  query Report($id: ID!) {\n    report(id: $id) {\n      ...ReportParts\n      evidencePurged\n      roomClosedAt\n      evidence {\n        id\n        seq\n        body\n        createdAt\n        sender {\n          id\n          nickname\n        }\n        image {\n          url\n          thumbnailUrl\n          width\n          height\n        }\n      }\n    }\n  }\n": typeof types.ReportDocument,
    "\n  mutation ResolveReport($id: ID!, $action: ModerationAction!, $hours: Int, $note: String) {\n    resolveReport(id: $id, action: $action, hours: $hours, note: $note) {\n      ...ReportParts\n    }\n  }\n": typeof types.ResolveReportDocument,
    "\n  query ModerationLog($first: Int, $after: String) {\n    moderationLog(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          createdAt\n          action\n          reportId\n          roomId\n          hours\n          note\n          moderator {\n            id\n            nickname\n          }\n          subject {\n            id\n            nickname\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ModerationLogDocument,
    "\n  query MyWarning {\n    me {\n      id\n      warning {\n        note\n        issuedAt\n      }\n    }\n  }\n": typeof types.MyWarningDocument,
    "\n  mutation DismissWarning {\n    dismissWarning\n  }\n": typeof types.DismissWarningDocument,
    "\n  query PushPublicKey {\n    pushPublicKey\n  }\n": typeof types.PushPublicKeyDocument,
    "\n  query PushDevice($endpoint: String!) {\n    pushDevice(endpoint: $endpoint) {\n      deviceLabel\n      previews\n    }\n  }\n": typeof types.PushDeviceDocument,
    "\n  mutation RegisterPushSubscription($input: PushSubscriptionInput!) {\n    registerPushSubscription(input: $input)\n  }\n": typeof types.RegisterPushSubscriptionDocument,
    "\n  mutation UnregisterPushSubscription($endpoint: String!) {\n    unregisterPushSubscription(endpoint: $endpoint)\n  }\n": typeof types.UnregisterPushSubscriptionDocument,
    "\n  query TrustPolicy {\n    trustPolicy {\n      phoneVerificationRequired\n      adultAge\n      maxAdultBirthYear\n      linkGuardMessages\n    }\n  }\n": typeof types.TrustPolicyDocument,
    "\n  mutation RequestPhoneCode($phone: String!) {\n    requestPhoneCode(phone: $phone)\n  }\n": typeof types.RequestPhoneCodeDocument,
    "\n  mutation VerifyPhone($phone: String!, $code: String!) {\n    verifyPhone(phone: $phone, code: $code) {\n      ...MeFields\n    }\n  }\n": typeof types.VerifyPhoneDocument,
};
const documents: Documents = {
    "\n  query Me {\n    me {\n      ...MeFields\n    }\n  }\n": types.MeDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      ...MeFields\n    }\n  }\n": types.UpdateProfileDocument,
    "\n  mutation SetProfilePhoto($uploadId: ID!) {\n    setProfilePhoto(uploadId: $uploadId) {\n      ...MeFields\n    }\n  }\n": types.SetProfilePhotoDocument,
    "\n  mutation RemoveProfilePhoto {\n    removeProfilePhoto {\n      ...MeFields\n    }\n  }\n": types.RemoveProfilePhotoDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      ...SessionFields\n    }\n  }\n": types.ChangePasswordDocument,
    "\n  mutation DeleteAccount($password: String!) {\n    deleteAccount(password: $password)\n  }\n": types.DeleteAccountDocument,
    "\n  fragment MeFields on User {\n    id\n    nickname\n    gender\n    birthYear\n    age\n    maskedEmail\n    phoneVerified\n    maskedPhone\n    createdAt\n    role\n    photo {\n      url\n      thumbnailUrl\n    }\n  }\n": types.MeFieldsFragmentDoc,
    "\n  fragment SessionFields on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    user {\n      ...MeFields\n    }\n  }\n": types.SessionFieldsFragmentDoc,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      ...SessionFields\n    }\n  }\n": types.SignUpDocument,
    "\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      ...SessionFields\n    }\n  }\n": types.LogInDocument,
    "\n  mutation RefreshSession {\n    refreshToken {\n      ...SessionFields\n    }\n  }\n": types.RefreshSessionDocument,
    "\n  mutation LogOut {\n    logOut\n  }\n": types.LogOutDocument,
    "\n  mutation RequestEmailCode($email: String!) {\n    requestEmailCode(email: $email)\n  }\n": types.RequestEmailCodeDocument,
    "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input)\n  }\n": types.ResetPasswordDocument,
    "\n  mutation RequestUnlockCode($email: String!) {\n    requestUnlockCode(email: $email)\n  }\n": types.RequestUnlockCodeDocument,
    "\n  mutation UnlockAccount($input: UnlockAccountInput!) {\n    unlockAccount(input: $input)\n  }\n": types.UnlockAccountDocument,
    "\n  query Rooms($first: Int!, $after: String) {\n    rooms(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...RoomParts\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.RoomsDocument,
    "\n  query Room($id: ID!) {\n    room(id: $id) {\n      ...RoomParts\n    }\n  }\n": types.RoomDocument,
    "\n  query Messages($roomId: ID!, $last: Int!, $before: String) {\n    messages(roomId: $roomId, last: $last, before: $before) {\n      edges {\n        node {\n          ...MessageParts\n        }\n      }\n      pageInfo {\n        hasPreviousPage\n        startCursor\n      }\n    }\n  }\n": types.MessagesDocument,
    "\n  query MessagesAfter($roomId: ID!, $afterSeq: Int!, $first: Int!) {\n    messagesAfter(roomId: $roomId, afterSeq: $afterSeq, first: $first) {\n      ...MessageParts\n    }\n  }\n": types.MessagesAfterDocument,
    "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      ...MessageParts\n    }\n  }\n": types.SendMessageDocument,
    "\n  mutation MarkRoomRead($roomId: ID!, $seq: Int!) {\n    markRoomRead(roomId: $roomId, seq: $seq) {\n      id\n      unreadCount\n      lastReadSeq\n    }\n  }\n": types.MarkRoomReadDocument,
    "\n  mutation SetTyping($roomId: ID!) {\n    setTyping(roomId: $roomId)\n  }\n": types.SetTypingDocument,
    "\n  mutation LeaveRoom($roomId: ID!) {\n    leaveRoom(roomId: $roomId)\n  }\n": types.LeaveRoomDocument,
    "\n  mutation BlockUser($userId: ID!) {\n    blockUser(userId: $userId)\n  }\n": types.BlockUserDocument,
    "\n  mutation ReportUser($userId: ID!, $reason: String!, $roomId: ID!) {\n    reportUser(userId: $userId, reason: $reason, roomId: $roomId)\n  }\n": types.ReportUserDocument,
    "\n  subscription RoomEvents($roomId: ID!) {\n    roomEvents(roomId: $roomId) {\n      type\n      roomId\n      userId\n      seq\n      reason\n      message {\n        ...MessageParts\n      }\n    }\n  }\n": types.RoomEventsDocument,
    "\n  fragment UserParts on User {\n    id\n    nickname\n    age\n    gender\n    deleted\n    photo {\n      url\n      thumbnailUrl\n    }\n  }\n": types.UserPartsFragmentDoc,
    "\n  fragment MessageParts on Message {\n    id\n    roomId\n    seq\n    body\n    clientMessageId\n    createdAt\n    masked\n    sender {\n      id\n    }\n    image {\n      url\n      thumbnailUrl\n      width\n      height\n    }\n  }\n": types.MessagePartsFragmentDoc,
    "\n  fragment RoomParts on Room {\n    id\n    closed\n    closedReason\n    distanceKm\n    unreadCount\n    lastReadSeq\n    peerLastReadSeq\n    lastActivityAt\n    createdAt\n    peer {\n      ...UserParts\n    }\n    lastMessage {\n      ...MessageParts\n    }\n  }\n": types.RoomPartsFragmentDoc,
    "\n  fragment MatchEventParts on MatchEvent {\n    type\n    matchId\n    distanceKm\n    expiresAt\n    partner {\n      ...UserParts\n    }\n    room {\n      id\n    }\n  }\n": types.MatchEventPartsFragmentDoc,
    "\n  fragment MatchStatusFields on MatchStatus {\n    state\n    radiusKm\n    accepted\n    offer {\n      ...MatchEventParts\n    }\n  }\n": types.MatchStatusFieldsFragmentDoc,
    "\n  query MatchStatus {\n    matchStatus {\n      ...MatchStatusFields\n    }\n  }\n": types.MatchStatusDocument,
    "\n  mutation RequestMatch($input: MatchRequestInput!) {\n    requestMatch(input: $input) {\n      ...MatchStatusFields\n    }\n  }\n": types.RequestMatchDocument,
    "\n  mutation NextMatch($input: MatchRequestInput!, $roomId: ID) {\n    nextMatch(input: $input, roomId: $roomId) {\n      ...MatchStatusFields\n    }\n  }\n": types.NextMatchDocument,
    "\n  mutation CancelMatch {\n    cancelMatch {\n      ...MatchStatusFields\n    }\n  }\n": types.CancelMatchDocument,
    "\n  mutation RespondToMatch($matchId: ID!, $accept: Boolean!) {\n    respondToMatch(matchId: $matchId, accept: $accept) {\n      ...MatchStatusFields\n    }\n  }\n": types.RespondToMatchDocument,
    "\n  subscription MatchEvents {\n    matchEvents {\n      ...MatchEventParts\n    }\n  }\n": types.MatchEventsDocument,
    "\n  fragment ReportParts on Report {\n    id\n    reason\n    roomId\n    status\n    action\n    createdAt\n    resolvedAt\n    reportedQuarantined\n    reporter {\n      id\n      nickname\n    }\n    reported {\n      id\n      nickname\n      deleted\n    }\n  }\n": types.ReportPartsFragmentDoc,
    "\n  query Reports($status: ReportStatus, $first: Int, $after: String) {\n    reports(status: $status, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...ReportParts\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ReportsDocument,
    "\n  query Report($id: ID!) {\n    report(id: $id) {\n      ...ReportParts\n      evidencePurged\n      roomClosedAt\n      evidence {\n        id\n        seq\n        body\n        createdAt\n        sender {\n          id\n          nickname\n        }\n        image {\n          url\n          thumbnailUrl\n          width\n          height\n        }\n      }\n    }\n  }\n": types.ReportDocument,
    "\n  mutation ResolveReport($id: ID!, $action: ModerationAction!, $hours: Int, $note: String) {\n    resolveReport(id: $id, action: $action, hours: $hours, note: $note) {\n      ...ReportParts\n    }\n  }\n": types.ResolveReportDocument,
    "\n  query ModerationLog($first: Int, $after: String) {\n    moderationLog(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          createdAt\n          action\n          reportId\n          roomId\n          hours\n          note\n          moderator {\n            id\n            nickname\n          }\n          subject {\n            id\n            nickname\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ModerationLogDocument,
    "\n  query MyWarning {\n    me {\n      id\n      warning {\n        note\n        issuedAt\n      }\n    }\n  }\n": types.MyWarningDocument,
    "\n  mutation DismissWarning {\n    dismissWarning\n  }\n": types.DismissWarningDocument,
    "\n  query PushPublicKey {\n    pushPublicKey\n  }\n": types.PushPublicKeyDocument,
    "\n  query PushDevice($endpoint: String!) {\n    pushDevice(endpoint: $endpoint) {\n      deviceLabel\n      previews\n    }\n  }\n": types.PushDeviceDocument,
    "\n  mutation RegisterPushSubscription($input: PushSubscriptionInput!) {\n    registerPushSubscription(input: $input)\n  }\n": types.RegisterPushSubscriptionDocument,
    "\n  mutation UnregisterPushSubscription($endpoint: String!) {\n    unregisterPushSubscription(endpoint: $endpoint)\n  }\n": types.UnregisterPushSubscriptionDocument,
    "\n  query TrustPolicy {\n    trustPolicy {\n      phoneVerificationRequired\n      adultAge\n      maxAdultBirthYear\n      linkGuardMessages\n    }\n  }\n": types.TrustPolicyDocument,
    "\n  mutation RequestPhoneCode($phone: String!) {\n    requestPhoneCode(phone: $phone)\n  }\n": types.RequestPhoneCodeDocument,
    "\n  mutation VerifyPhone($phone: String!, $code: String!) {\n    verifyPhone(phone: $phone, code: $code) {\n      ...MeFields\n    }\n  }\n": types.VerifyPhoneDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      ...MeFields\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      ...MeFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      ...MeFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      ...MeFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetProfilePhoto($uploadId: ID!) {\n    setProfilePhoto(uploadId: $uploadId) {\n      ...MeFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetProfilePhoto($uploadId: ID!) {\n    setProfilePhoto(uploadId: $uploadId) {\n      ...MeFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveProfilePhoto {\n    removeProfilePhoto {\n      ...MeFields\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveProfilePhoto {\n    removeProfilePhoto {\n      ...MeFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      ...SessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      ...SessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteAccount($password: String!) {\n    deleteAccount(password: $password)\n  }\n"): (typeof documents)["\n  mutation DeleteAccount($password: String!) {\n    deleteAccount(password: $password)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MeFields on User {\n    id\n    nickname\n    gender\n    birthYear\n    age\n    maskedEmail\n    phoneVerified\n    maskedPhone\n    createdAt\n    role\n    photo {\n      url\n      thumbnailUrl\n    }\n  }\n"): (typeof documents)["\n  fragment MeFields on User {\n    id\n    nickname\n    gender\n    birthYear\n    age\n    maskedEmail\n    phoneVerified\n    maskedPhone\n    createdAt\n    role\n    photo {\n      url\n      thumbnailUrl\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionFields on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    user {\n      ...MeFields\n    }\n  }\n"): (typeof documents)["\n  fragment SessionFields on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    user {\n      ...MeFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      ...SessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      ...SessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      ...SessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      ...SessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshSession {\n    refreshToken {\n      ...SessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation RefreshSession {\n    refreshToken {\n      ...SessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogOut {\n    logOut\n  }\n"): (typeof documents)["\n  mutation LogOut {\n    logOut\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestEmailCode($email: String!) {\n    requestEmailCode(email: $email)\n  }\n"): (typeof documents)["\n  mutation RequestEmailCode($email: String!) {\n    requestEmailCode(email: $email)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"): (typeof documents)["\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input)\n  }\n"): (typeof documents)["\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestUnlockCode($email: String!) {\n    requestUnlockCode(email: $email)\n  }\n"): (typeof documents)["\n  mutation RequestUnlockCode($email: String!) {\n    requestUnlockCode(email: $email)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnlockAccount($input: UnlockAccountInput!) {\n    unlockAccount(input: $input)\n  }\n"): (typeof documents)["\n  mutation UnlockAccount($input: UnlockAccountInput!) {\n    unlockAccount(input: $input)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Rooms($first: Int!, $after: String) {\n    rooms(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...RoomParts\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Rooms($first: Int!, $after: String) {\n    rooms(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...RoomParts\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Room($id: ID!) {\n    room(id: $id) {\n      ...RoomParts\n    }\n  }\n"): (typeof documents)["\n  query Room($id: ID!) {\n    room(id: $id) {\n      ...RoomParts\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Messages($roomId: ID!, $last: Int!, $before: String) {\n    messages(roomId: $roomId, last: $last, before: $before) {\n      edges {\n        node {\n          ...MessageParts\n        }\n      }\n      pageInfo {\n        hasPreviousPage\n        startCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Messages($roomId: ID!, $last: Int!, $before: String) {\n    messages(roomId: $roomId, last: $last, before: $before) {\n      edges {\n        node {\n          ...MessageParts\n        }\n      }\n      pageInfo {\n        hasPreviousPage\n        startCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MessagesAfter($roomId: ID!, $afterSeq: Int!, $first: Int!) {\n    messagesAfter(roomId: $roomId, afterSeq: $afterSeq, first: $first) {\n      ...MessageParts\n    }\n  }\n"): (typeof documents)["\n  query MessagesAfter($roomId: ID!, $afterSeq: Int!, $first: Int!) {\n    messagesAfter(roomId: $roomId, afterSeq: $afterSeq, first: $first) {\n      ...MessageParts\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      ...MessageParts\n    }\n  }\n"): (typeof documents)["\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      ...MessageParts\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkRoomRead($roomId: ID!, $seq: Int!) {\n    markRoomRead(roomId: $roomId, seq: $seq) {\n      id\n      unreadCount\n      lastReadSeq\n    }\n  }\n"): (typeof documents)["\n  mutation MarkRoomRead($roomId: ID!, $seq: Int!) {\n    markRoomRead(roomId: $roomId, seq: $seq) {\n      id\n      unreadCount\n      lastReadSeq\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetTyping($roomId: ID!) {\n    setTyping(roomId: $roomId)\n  }\n"): (typeof documents)["\n  mutation SetTyping($roomId: ID!) {\n    setTyping(roomId: $roomId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LeaveRoom($roomId: ID!) {\n    leaveRoom(roomId: $roomId)\n  }\n"): (typeof documents)["\n  mutation LeaveRoom($roomId: ID!) {\n    leaveRoom(roomId: $roomId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BlockUser($userId: ID!) {\n    blockUser(userId: $userId)\n  }\n"): (typeof documents)["\n  mutation BlockUser($userId: ID!) {\n    blockUser(userId: $userId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReportUser($userId: ID!, $reason: String!, $roomId: ID!) {\n    reportUser(userId: $userId, reason: $reason, roomId: $roomId)\n  }\n"): (typeof documents)["\n  mutation ReportUser($userId: ID!, $reason: String!, $roomId: ID!) {\n    reportUser(userId: $userId, reason: $reason, roomId: $roomId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RoomEvents($roomId: ID!) {\n    roomEvents(roomId: $roomId) {\n      type\n      roomId\n      userId\n      seq\n      reason\n      message {\n        ...MessageParts\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription RoomEvents($roomId: ID!) {\n    roomEvents(roomId: $roomId) {\n      type\n      roomId\n      userId\n      seq\n      reason\n      message {\n        ...MessageParts\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserParts on User {\n    id\n    nickname\n    age\n    gender\n    deleted\n    photo {\n      url\n      thumbnailUrl\n    }\n  }\n"): (typeof documents)["\n  fragment UserParts on User {\n    id\n    nickname\n    age\n    gender\n    deleted\n    photo {\n      url\n      thumbnailUrl\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MessageParts on Message {\n    id\n    roomId\n    seq\n    body\n    clientMessageId\n    createdAt\n    masked\n    sender {\n      id\n    }\n    image {\n      url\n      thumbnailUrl\n      width\n      height\n    }\n  }\n"): (typeof documents)["\n  fragment MessageParts on Message {\n    id\n    roomId\n    seq\n    body\n    clientMessageId\n    createdAt\n    masked\n    sender {\n      id\n    }\n    image {\n      url\n      thumbnailUrl\n      width\n      height\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RoomParts on Room {\n    id\n    closed\n    closedReason\n    distanceKm\n    unreadCount\n    lastReadSeq\n    peerLastReadSeq\n    lastActivityAt\n    createdAt\n    peer {\n      ...UserParts\n    }\n    lastMessage {\n      ...MessageParts\n    }\n  }\n"): (typeof documents)["\n  fragment RoomParts on Room {\n    id\n    closed\n    closedReason\n    distanceKm\n    unreadCount\n    lastReadSeq\n    peerLastReadSeq\n    lastActivityAt\n    createdAt\n    peer {\n      ...UserParts\n    }\n    lastMessage {\n      ...MessageParts\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MatchEventParts on MatchEvent {\n    type\n    matchId\n    distanceKm\n    expiresAt\n    partner {\n      ...UserParts\n    }\n    room {\n      id\n    }\n  }\n"): (typeof documents)["\n  fragment MatchEventParts on MatchEvent {\n    type\n    matchId\n    distanceKm\n    expiresAt\n    partner {\n      ...UserParts\n    }\n    room {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MatchStatusFields on MatchStatus {\n    state\n    radiusKm\n    accepted\n    offer {\n      ...MatchEventParts\n    }\n  }\n"): (typeof documents)["\n  fragment MatchStatusFields on MatchStatus {\n    state\n    radiusKm\n    accepted\n    offer {\n      ...MatchEventParts\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MatchStatus {\n    matchStatus {\n      ...MatchStatusFields\n    }\n  }\n"): (typeof documents)["\n  query MatchStatus {\n    matchStatus {\n      ...MatchStatusFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestMatch($input: MatchRequestInput!) {\n    requestMatch(input: $input) {\n      ...MatchStatusFields\n    }\n  }\n"): (typeof documents)["\n  mutation RequestMatch($input: MatchRequestInput!) {\n    requestMatch(input: $input) {\n      ...MatchStatusFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation NextMatch($input: MatchRequestInput!, $roomId: ID) {\n    nextMatch(input: $input, roomId: $roomId) {\n      ...MatchStatusFields\n    }\n  }\n"): (typeof documents)["\n  mutation NextMatch($input: MatchRequestInput!, $roomId: ID) {\n    nextMatch(input: $input, roomId: $roomId) {\n      ...MatchStatusFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelMatch {\n    cancelMatch {\n      ...MatchStatusFields\n    }\n  }\n"): (typeof documents)["\n  mutation CancelMatch {\n    cancelMatch {\n      ...MatchStatusFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RespondToMatch($matchId: ID!, $accept: Boolean!) {\n    respondToMatch(matchId: $matchId, accept: $accept) {\n      ...MatchStatusFields\n    }\n  }\n"): (typeof documents)["\n  mutation RespondToMatch($matchId: ID!, $accept: Boolean!) {\n    respondToMatch(matchId: $matchId, accept: $accept) {\n      ...MatchStatusFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MatchEvents {\n    matchEvents {\n      ...MatchEventParts\n    }\n  }\n"): (typeof documents)["\n  subscription MatchEvents {\n    matchEvents {\n      ...MatchEventParts\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ReportParts on Report {\n    id\n    reason\n    roomId\n    status\n    action\n    createdAt\n    resolvedAt\n    reportedQuarantined\n    reporter {\n      id\n      nickname\n    }\n    reported {\n      id\n      nickname\n      deleted\n    }\n  }\n"): (typeof documents)["\n  fragment ReportParts on Report {\n    id\n    reason\n    roomId\n    status\n    action\n    createdAt\n    resolvedAt\n    reportedQuarantined\n    reporter {\n      id\n      nickname\n    }\n    reported {\n      id\n      nickname\n      deleted\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Reports($status: ReportStatus, $first: Int, $after: String) {\n    reports(status: $status, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...ReportParts\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Reports($status: ReportStatus, $first: Int, $after: String) {\n    reports(status: $status, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...ReportParts\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Report($id: ID!) {\n    report(id: $id) {\n      ...ReportParts\n      evidencePurged\n      roomClosedAt\n      evidence {\n        id\n        seq\n        body\n        createdAt\n        sender {\n          id\n          nickname\n        }\n        image {\n          url\n          thumbnailUrl\n          width\n          height\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Report($id: ID!) {\n    report(id: $id) {\n      ...ReportParts\n      evidencePurged\n      roomClosedAt\n      evidence {\n        id\n        seq\n        body\n        createdAt\n        sender {\n          id\n          nickname\n        }\n        image {\n          url\n          thumbnailUrl\n          width\n          height\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResolveReport($id: ID!, $action: ModerationAction!, $hours: Int, $note: String) {\n    resolveReport(id: $id, action: $action, hours: $hours, note: $note) {\n      ...ReportParts\n    }\n  }\n"): (typeof documents)["\n  mutation ResolveReport($id: ID!, $action: ModerationAction!, $hours: Int, $note: String) {\n    resolveReport(id: $id, action: $action, hours: $hours, note: $note) {\n      ...ReportParts\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ModerationLog($first: Int, $after: String) {\n    moderationLog(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          createdAt\n          action\n          reportId\n          roomId\n          hours\n          note\n          moderator {\n            id\n            nickname\n          }\n          subject {\n            id\n            nickname\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query ModerationLog($first: Int, $after: String) {\n    moderationLog(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          createdAt\n          action\n          reportId\n          roomId\n          hours\n          note\n          moderator {\n            id\n            nickname\n          }\n          subject {\n            id\n            nickname\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyWarning {\n    me {\n      id\n      warning {\n        note\n        issuedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyWarning {\n    me {\n      id\n      warning {\n        note\n        issuedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DismissWarning {\n    dismissWarning\n  }\n"): (typeof documents)["\n  mutation DismissWarning {\n    dismissWarning\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PushPublicKey {\n    pushPublicKey\n  }\n"): (typeof documents)["\n  query PushPublicKey {\n    pushPublicKey\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PushDevice($endpoint: String!) {\n    pushDevice(endpoint: $endpoint) {\n      deviceLabel\n      previews\n    }\n  }\n"): (typeof documents)["\n  query PushDevice($endpoint: String!) {\n    pushDevice(endpoint: $endpoint) {\n      deviceLabel\n      previews\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterPushSubscription($input: PushSubscriptionInput!) {\n    registerPushSubscription(input: $input)\n  }\n"): (typeof documents)["\n  mutation RegisterPushSubscription($input: PushSubscriptionInput!) {\n    registerPushSubscription(input: $input)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnregisterPushSubscription($endpoint: String!) {\n    unregisterPushSubscription(endpoint: $endpoint)\n  }\n"): (typeof documents)["\n  mutation UnregisterPushSubscription($endpoint: String!) {\n    unregisterPushSubscription(endpoint: $endpoint)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TrustPolicy {\n    trustPolicy {\n      phoneVerificationRequired\n      adultAge\n      maxAdultBirthYear\n      linkGuardMessages\n    }\n  }\n"): (typeof documents)["\n  query TrustPolicy {\n    trustPolicy {\n      phoneVerificationRequired\n      adultAge\n      maxAdultBirthYear\n      linkGuardMessages\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestPhoneCode($phone: String!) {\n    requestPhoneCode(phone: $phone)\n  }\n"): (typeof documents)["\n  mutation RequestPhoneCode($phone: String!) {\n    requestPhoneCode(phone: $phone)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyPhone($phone: String!, $code: String!) {\n    verifyPhone(phone: $phone, code: $code) {\n      ...MeFields\n    }\n  }\n"): (typeof documents)["\n  mutation VerifyPhone($phone: String!, $code: String!) {\n    verifyPhone(phone: $phone, code: $code) {\n      ...MeFields\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;