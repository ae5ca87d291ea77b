import { onBeforeUnmount, ref } from 'vue';

/** The current time (epoch ms), updated every `everyMs` milliseconds while the component lives. */
export function useNow(everyMs = 1_000) {
  const now = ref(Date.now());
  const timer = setInterval(() => (now.value = Date.now()), everyMs);
  onBeforeUnmount(() => clearInterval(timer));
  return now;
}
