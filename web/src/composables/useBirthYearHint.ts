import { computed, onMounted } from 'vue';
import { useI18n } from 'vue-i18n';
import { useTrustStore } from '../stores/trust';

/** The birth year field's hint: the server's age rule (the latest accepted year) once its policy is loaded. */
export function useBirthYearHint() {
  const { t } = useI18n();
  const trust = useTrustStore();
  onMounted(() => void trust.loadPolicy().catch(() => undefined));
  return computed(() =>
    trust.policy
      ? t('profile.birthYearRule', { year: trust.policy.maxAdultBirthYear, age: trust.policy.adultAge })
      : t('profile.birthYearHint'),
  );
}
