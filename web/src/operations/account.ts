import { graphql } from '../gql';

export const MeDocument = graphql(`
  query Me {
    me {
      ...MeFields
    }
  }
`);

export const UpdateProfileDocument = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      ...MeFields
    }
  }
`);

export const SetProfilePhotoDocument = graphql(`
  mutation SetProfilePhoto($uploadId: ID!) {
    setProfilePhoto(uploadId: $uploadId) {
      ...MeFields
    }
  }
`);

export const RemoveProfilePhotoDocument = graphql(`
  mutation RemoveProfilePhoto {
    removeProfilePhoto {
      ...MeFields
    }
  }
`);

export const ChangePasswordDocument = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      ...SessionFields
    }
  }
`);

export const DeleteAccountDocument = graphql(`
  mutation DeleteAccount($password: String!) {
    deleteAccount(password: $password)
  }
`);
