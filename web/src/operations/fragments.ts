import { graphql } from '../gql';

/** What the app shows of any member: the peer in a room, a match partner, yourself. */
export const UserPartsDocument = graphql(`
  fragment UserParts on User {
    id
    nickname
    age
    gender
    deleted
    photo {
      url
      thumbnailUrl
    }
  }
`);

export const MessagePartsDocument = graphql(`
  fragment MessageParts on Message {
    id
    roomId
    seq
    body
    clientMessageId
    createdAt
    masked
    sender {
      id
    }
    image {
      url
      thumbnailUrl
      width
      height
    }
  }
`);

export const RoomPartsDocument = graphql(`
  fragment RoomParts on Room {
    id
    closed
    closedReason
    distanceKm
    unreadCount
    lastReadSeq
    peerLastReadSeq
    lastActivityAt
    createdAt
    peer {
      ...UserParts
    }
    lastMessage {
      ...MessageParts
    }
  }
`);

/** The room is named by id only: the app loads it after MATCHED. */
export const MatchEventPartsDocument = graphql(`
  fragment MatchEventParts on MatchEvent {
    type
    matchId
    distanceKm
    expiresAt
    partner {
      ...UserParts
    }
    room {
      id
    }
  }
`);
