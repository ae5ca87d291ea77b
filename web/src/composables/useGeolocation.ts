import { ref } from 'vue';
import type { Position } from '../stores/match';

export type GeoProblem = 'denied' | 'unavailable' | 'unsupported' | null;

/** One position fix from the browser, with the reason when there is none. */
export function useGeolocation() {
  const locating = ref(false);
  const problem = ref<GeoProblem>(null);

  function locate(): Promise<Position | null> {
    if (typeof navigator === 'undefined' || !navigator.geolocation || !window.isSecureContext) {
      problem.value = 'unsupported';
      return Promise.resolve(null);
    }
    locating.value = true;
    return new Promise((resolve) => {
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          locating.value = false;
          problem.value = null;
          resolve({ latitude: pos.coords.latitude, longitude: pos.coords.longitude });
        },
        (err) => {
          locating.value = false;
          problem.value = err.code === err.PERMISSION_DENIED ? 'denied' : 'unavailable';
          resolve(null);
        },
        { enableHighAccuracy: false, timeout: 10_000, maximumAge: 300_000 },
      );
    });
  }

  return { locating, problem, locate };
}
