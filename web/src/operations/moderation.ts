import { graphql } from '../gql';

export const ReportPartsDocument = graphql(`
  fragment ReportParts on Report {
    id
    reason
    roomId
    status
    action
    createdAt
    resolvedAt
    reportedQuarantined
    reporter {
      id
      nickname
    }
    reported {
      id
      nickname
      deleted
    }
  }
`);

export const ReportsDocument = graphql(`
  query Reports($status: ReportStatus, $first: Int, $after: String) {
    reports(status: $status, first: $first, after: $after) {
      edges {
        cursor
        node {
          ...ReportParts
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const ReportDocument = graphql(`
  query Report($id: ID!) {
    report(id: $id) {
      ...ReportParts
      evidencePurged
      roomClosedAt
      evidence {
        id
        seq
        body
        createdAt
        sender {
          id
          nickname
        }
        image {
          url
          thumbnailUrl
          width
          height
        }
      }
    }
  }
`);

export const ResolveReportDocument = graphql(`
  mutation ResolveReport($id: ID!, $action: ModerationAction!, $hours: Int, $note: String) {
    resolveReport(id: $id, action: $action, hours: $hours, note: $note) {
      ...ReportParts
    }
  }
`);

export const ModerationLogDocument = graphql(`
  query ModerationLog($first: Int, $after: String) {
    moderationLog(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          createdAt
          action
          reportId
          roomId
          hours
          note
          moderator {
            id
            nickname
          }
          subject {
            id
            nickname
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const MyWarningDocument = graphql(`
  query MyWarning {
    me {
      id
      warning {
        note
        issuedAt
      }
    }
  }
`);

export const DismissWarningDocument = graphql(`
  mutation DismissWarning {
    dismissWarning
  }
`);
