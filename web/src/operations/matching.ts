import { graphql } from '../gql';

export const MatchStatusFieldsDocument = graphql(`
  fragment MatchStatusFields on MatchStatus {
    state
    radiusKm
    accepted
    offer {
      ...MatchEventParts
    }
  }
`);

export const MatchStatusDocument = graphql(`
  query MatchStatus {
    matchStatus {
      ...MatchStatusFields
    }
  }
`);

export const RequestMatchDocument = graphql(`
  mutation RequestMatch($input: MatchRequestInput!) {
    requestMatch(input: $input) {
      ...MatchStatusFields
    }
  }
`);

/** Searches again and leaves the room (the newest open one when roomId is null) in one call. */
export const NextMatchDocument = graphql(`
  mutation NextMatch($input: MatchRequestInput!, $roomId: ID) {
    nextMatch(input: $input, roomId: $roomId) {
      ...MatchStatusFields
    }
  }
`);

export const CancelMatchDocument = graphql(`
  mutation CancelMatch {
    cancelMatch {
      ...MatchStatusFields
    }
  }
`);

export const RespondToMatchDocument = graphql(`
  mutation RespondToMatch($matchId: ID!, $accept: Boolean!) {
    respondToMatch(matchId: $matchId, accept: $accept) {
      ...MatchStatusFields
    }
  }
`);

export const MatchEventsDocument = graphql(`
  subscription MatchEvents {
    matchEvents {
      ...MatchEventParts
    }
  }
`);
