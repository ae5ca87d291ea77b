import { graphql } from '../gql';

export const RoomsDocument = graphql(`
  query Rooms($first: Int!, $after: String) {
    rooms(first: $first, after: $after) {
      edges {
        cursor
        node {
          ...RoomParts
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const RoomDocument = graphql(`
  query Room($id: ID!) {
    room(id: $id) {
      ...RoomParts
    }
  }
`);

export const MessagesDocument = graphql(`
  query Messages($roomId: ID!, $last: Int!, $before: String) {
    messages(roomId: $roomId, last: $last, before: $before) {
      edges {
        node {
          ...MessageParts
        }
      }
      pageInfo {
        hasPreviousPage
        startCursor
      }
    }
  }
`);

export const MessagesAfterDocument = graphql(`
  query MessagesAfter($roomId: ID!, $afterSeq: Int!, $first: Int!) {
    messagesAfter(roomId: $roomId, afterSeq: $afterSeq, first: $first) {
      ...MessageParts
    }
  }
`);

export const SendMessageDocument = graphql(`
  mutation SendMessage($input: SendMessageInput!) {
    sendMessage(input: $input) {
      ...MessageParts
    }
  }
`);

export const MarkRoomReadDocument = graphql(`
  mutation MarkRoomRead($roomId: ID!, $seq: Int!) {
    markRoomRead(roomId: $roomId, seq: $seq) {
      id
      unreadCount
      lastReadSeq
    }
  }
`);

export const SetTypingDocument = graphql(`
  mutation SetTyping($roomId: ID!) {
    setTyping(roomId: $roomId)
  }
`);

export const LeaveRoomDocument = graphql(`
  mutation LeaveRoom($roomId: ID!) {
    leaveRoom(roomId: $roomId)
  }
`);

export const BlockUserDocument = graphql(`
  mutation BlockUser($userId: ID!) {
    blockUser(userId: $userId)
  }
`);

export const ReportUserDocument = graphql(`
  mutation ReportUser($userId: ID!, $reason: String!, $roomId: ID!) {
    reportUser(userId: $userId, reason: $reason, roomId: $roomId)
  }
`);

export const RoomEventsDocument = graphql(`
  subscription RoomEvents($roomId: ID!) {
    roomEvents(roomId: $roomId) {
      type
      roomId
      userId
      seq
      reason
      message {
        ...MessageParts
      }
    }
  }
`);
