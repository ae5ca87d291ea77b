import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useApi } from '../api/context';
import { apiFailure } from '../api/errors';
import type { MyWarningQuery } from '../gql/graphql';
import { DismissWarningDocument, MyWarningDocument } from '../operations/moderation';

export type Warning = NonNullable<MyWarningQuery['me']['warning']>;

/** A moderator's warning to the signed-in user (WARN), shown until they dismiss it. */
export const useWarningStore = defineStore('warning', () => {
  const api = useApi();
  const warning = ref<Warning | null>(null);

  async function load(): Promise<void> {
    try {
      const { data } = await api.client.query({ query: MyWarningDocument, fetchPolicy: 'network-only' });
      warning.value = data.me.warning ?? null;
    } catch (err) {
      throw apiFailure(err);
    }
  }

  async function dismiss(): Promise<void> {
    try {
      await api.client.mutate({ mutation: DismissWarningDocument });
      warning.value = null;
    } catch (err) {
      throw apiFailure(err);
    }
  }

  return { warning, load, dismiss };
});
