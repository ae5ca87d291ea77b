import { graphql } from '../gql';

export const MeFieldsDocument = graphql(`
  fragment MeFields on User {
    id
    nickname
    gender
    birthYear
    age
    maskedEmail
    phoneVerified
    maskedPhone
    createdAt
    role
    photo {
      url
      thumbnailUrl
    }
  }
`);

export const SessionFieldsDocument = graphql(`
  fragment SessionFields on AuthPayload {
    accessToken
    accessTokenExpiresAt
    user {
      ...MeFields
    }
  }
`);

export const SignUpDocument = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      ...SessionFields
    }
  }
`);

export const LogInDocument = graphql(`
  mutation LogIn($input: LogInInput!) {
    logIn(input: $input) {
      ...SessionFields
    }
  }
`);

export const RefreshSessionDocument = graphql(`
  mutation RefreshSession {
    refreshToken {
      ...SessionFields
    }
  }
`);

export const LogOutDocument = graphql(`
  mutation LogOut {
    logOut
  }
`);

export const RequestEmailCodeDocument = graphql(`
  mutation RequestEmailCode($email: String!) {
    requestEmailCode(email: $email)
  }
`);

export const RequestPasswordResetDocument = graphql(`
  mutation RequestPasswordReset($email: String!) {
    requestPasswordReset(email: $email)
  }
`);

export const ResetPasswordDocument = graphql(`
  mutation ResetPassword($input: ResetPasswordInput!) {
    resetPassword(input: $input)
  }
`);

export const RequestUnlockCodeDocument = graphql(`
  mutation RequestUnlockCode($email: String!) {
    requestUnlockCode(email: $email)
  }
`);

export const UnlockAccountDocument = graphql(`
  mutation UnlockAccount($input: UnlockAccountInput!) {
    unlockAccount(input: $input)
  }
`);
