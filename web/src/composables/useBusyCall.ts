import { ref } from 'vue';
import { apiFailure } from '../api/errors';

/**
 * A store's `busy` flag and `run`, which holds it while one API call runs and turns the call's
 * error into an ApiFailure (api/errors.ts).
 */
export function useBusyCall() {
  const busy = ref(false);
  async function run<T>(work: () => Promise<T>): Promise<T> {
    busy.value = true;
    try {
      return await work();
    } catch (err) {
      throw apiFailure(err);
    } finally {
      busy.value = false;
    }
  }
  return { busy, run };
}
