import { graphql } from '../gql';

export const TrustPolicyDocument = graphql(`
  query TrustPolicy {
    trustPolicy {
      phoneVerificationRequired
      adultAge
      maxAdultBirthYear
      linkGuardMessages
    }
  }
`);

export const RequestPhoneCodeDocument = graphql(`
  mutation RequestPhoneCode($phone: String!) {
    requestPhoneCode(phone: $phone)
  }
`);

export const VerifyPhoneDocument = graphql(`
  mutation VerifyPhone($phone: String!, $code: String!) {
    verifyPhone(phone: $phone, code: $code) {
      ...MeFields
    }
  }
`);
