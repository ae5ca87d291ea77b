import { ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { toApiError, type ApiError } from '../api/errors';

/**
 * A form's API failure as text: one line for the form (by `extensions.code`, with the wait for
 * RATE_LIMITED) and one per input field the server named (`extensions.field(s)`).
 */
export function useApiError() {
  const { t, te } = useI18n();
  const error = ref<ApiError | null>(null);

  function set(err: unknown) {
    error.value = err === null ? null : toApiError(err);
  }

  function describe(e: ApiError): string {
    if (e.code === 'RATE_LIMITED') return t('errors.RATE_LIMITED', { seconds: e.retryAfterSeconds ?? 60 });
    if (e.reason && te(`errors.reason.${e.reason}`)) return t(`errors.reason.${e.reason}`);
    if (te(`errors.${e.code}`)) return t(`errors.${e.code}`);
    return e.message || t('errors.INTERNAL_SERVER_ERROR');
  }

  /** The message under one input, or null. */
  function field(name: string): string | null {
    const e = error.value;
    if (!e || !e.fields.includes(name)) return null;
    return te(`errors.field.${name}`) ? t(`errors.field.${name}`) : e.message;
  }

  /** The form-level message: null when every problem is shown under a field of `shown`. */
  function form(shown: string[] = []): string | null {
    const e = error.value;
    if (!e) return null;
    if (e.fields.length > 0 && e.fields.every((f) => shown.includes(f))) return null;
    return describe(e);
  }

  return { error, set, field, form, describe };
}
