import { computed } from 'vue';
import { useI18n } from 'vue-i18n';

export const GENDERS = ['FEMALE', 'MALE', 'NONBINARY'] as const;

/** Options for a gender select, with "not given" first. */
export function useGenderOptions() {
  const { t } = useI18n();
  return computed(() => [
    { value: '', label: t('profile.genderUnset') },
    ...GENDERS.map((g) => ({ value: g, label: t(`gender.${g}`) })),
  ]);
}
