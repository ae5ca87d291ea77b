import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useApi } from '../api/context';
import type { TrustPolicyQuery } from '../gql/graphql';
import { RequestPhoneCodeDocument, TrustPolicyDocument, VerifyPhoneDocument } from '../operations/trust';
import { useAuthStore } from './auth';
import { useBusyCall } from '../composables/useBusyCall';

export type TrustPolicy = TrustPolicyQuery['trustPolicy'];

/**
 * The server's safety rules (whether matching needs a verified phone, the age rule) and phone
 * verification: a code by SMS to a number, then the code back. Actions throw an ApiFailure the
 * form shows.
 */
export const useTrustStore = defineStore('trust', () => {
  const api = useApi();
  const auth = useAuthStore();
  const policy = ref<TrustPolicy | null>(null);
  const { busy, run } = useBusyCall();
  /** The number the last code went to, as the user typed it. */
  const codeSentTo = ref<string | null>(null);

  /** Loads the policy once (it changes only with the server's configuration). */
  async function loadPolicy(): Promise<TrustPolicy> {
    if (policy.value) return policy.value;
    const { data } = await api.client.query({ query: TrustPolicyDocument });
    policy.value = data.trustPolicy;
    return data.trustPolicy;
  }

  const requestPhoneCode = (phone: string) =>
    run(async () => {
      await api.client.mutate({ mutation: RequestPhoneCodeDocument, variables: { phone } });
      codeSentTo.value = phone;
    });

  const verifyPhone = (phone: string, code: string) =>
    run(async () => {
      const { data } = await api.client.mutate({ mutation: VerifyPhoneDocument, variables: { phone, code } });
      auth.setUser(data!.verifyPhone);
      codeSentTo.value = null;
    });

  return { policy, busy, codeSentTo, loadPolicy, requestPhoneCode, verifyPhone };
});
