import { defineStore } from 'pinia';
import { useApi } from '../api/context';
import type { ChangePasswordInput, UpdateProfileInput } from '../gql/graphql';
import {
  ChangePasswordDocument,
  DeleteAccountDocument,
  MeDocument,
  RemoveProfilePhotoDocument,
  SetProfilePhotoDocument,
  UpdateProfileDocument,
} from '../operations/account';
import {
  RequestEmailCodeDocument,
  RequestPasswordResetDocument,
  RequestUnlockCodeDocument,
  ResetPasswordDocument,
  UnlockAccountDocument,
} from '../operations/auth';
import { useAuthStore } from './auth';
import { useBusyCall } from '../composables/useBusyCall';

/**
 * The account: profile and photo, password change and deletion for the signed-in user; sign-up
 * codes, password reset and unlock for anyone. Every action throws an ApiFailure the form shows.
 */
export const useAccountStore = defineStore('account', () => {
  const api = useApi();
  const auth = useAuthStore();
  const { busy, run } = useBusyCall();

  const loadMe = () =>
    run(async () => {
      const { data } = await api.client.query({ query: MeDocument });
      auth.setUser(data.me);
    });

  const updateProfile = (input: UpdateProfileInput) =>
    run(async () => {
      const { data } = await api.client.mutate({ mutation: UpdateProfileDocument, variables: { input } });
      auth.setUser(data!.updateProfile);
    });

  /** Uploads the picture, then makes it the profile photo. */
  const setPhoto = (file: Blob) =>
    run(async () => {
      const { id } = await api.uploadImage(file);
      const { data } = await api.client.mutate({ mutation: SetProfilePhotoDocument, variables: { uploadId: id } });
      auth.setUser(data!.setProfilePhoto);
    });

  const removePhoto = () =>
    run(async () => {
      const { data } = await api.client.mutate({ mutation: RemoveProfilePhotoDocument });
      auth.setUser(data!.removeProfilePhoto);
    });

  /** Every other session ends; this one continues with the new tokens. */
  const changePassword = (input: ChangePasswordInput) =>
    run(async () => {
      const { data } = await api.client.mutate({ mutation: ChangePasswordDocument, variables: { input } });
      auth.applySession(data!.changePassword);
    });

  const deleteAccount = (password: string) =>
    run(async () => {
      await api.client.mutate({ mutation: DeleteAccountDocument, variables: { password } });
      auth.clear();
    });

  const requestEmailCode = (email: string) =>
    run(async () => void (await api.client.mutate({ mutation: RequestEmailCodeDocument, variables: { email } })));
  const requestPasswordReset = (email: string) =>
    run(async () => void (await api.client.mutate({ mutation: RequestPasswordResetDocument, variables: { email } })));
  const resetPassword = (token: string, newPassword: string) =>
    run(
      async () =>
        void (await api.client.mutate({
          mutation: ResetPasswordDocument,
          variables: { input: { token, newPassword } },
        })),
    );
  const requestUnlockCode = (email: string) =>
    run(async () => void (await api.client.mutate({ mutation: RequestUnlockCodeDocument, variables: { email } })));
  const unlockAccount = (email: string, code: string) =>
    run(
      async () =>
        void (await api.client.mutate({ mutation: UnlockAccountDocument, variables: { input: { email, code } } })),
    );

  return {
    busy,
    loadMe,
    updateProfile,
    setPhoto,
    removePhoto,
    changePassword,
    deleteAccount,
    requestEmailCode,
    requestPasswordReset,
    resetPassword,
    requestUnlockCode,
    unlockAccount,
  };
});
