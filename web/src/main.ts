import { createPinia } from 'pinia';
import { createApp, watch } from 'vue';
import { apiKey } from './api/context';
import { createApi } from './apollo';
import App from './App.vue';
import { createAppI18n } from './i18n';
import { onNotificationOpen, registerServiceWorker } from './pwa/service-worker';
import { createAppRouter } from './router';
import { useAuthStore } from './stores/auth';
import { useChatStore } from './stores/chat';
import { useConnectionStore } from './stores/connection';
import { useLocaleStore } from './stores/locale';
import { useMatchStore } from './stores/match';
import { useNotificationsStore } from './stores/notifications';
import { useRoomsStore } from './stores/rooms';
import './styles.css';

// Composition root: Pinia, the API context (links read the session lazily from the auth store),
// the session restored from the refresh cookie, i18n and the router.
const pinia = createPinia();
const app = createApp(App);
const auth = () => useAuthStore(pinia);
const connection = () => useConnectionStore(pinia);
const api = createApi(
  {
    accessToken: () => auth().freshAccessToken(),
    refresh: () => auth().refresh(),
  },
  {
    socketConnected: () => connection().socketConnected(),
    socketClosed: (code) => connection().socketClosed(code),
    httpAnswered: () => connection().httpAnswered(),
    httpFailed: (retryAfterMs) => connection().httpFailed(retryAfterMs),
  },
);
app.provide(apiKey, api);
app.use(pinia);

const locale = useLocaleStore(pinia);
const i18n = createAppI18n(locale.locale);
watch(
  () => locale.locale,
  (next) => {
    i18n.global.locale.value = next;
    document.documentElement.lang = next;
  },
  { immediate: true },
);

const restored = auth().restore();
const router = createAppRouter(pinia, restored);

// Live streams follow the session: open while logged in, all stopped at logout.
watch(
  () => auth().user?.id ?? null,
  (userId, previous) => {
    if (previous && userId !== previous) {
      useMatchStore(pinia).reset();
      useRoomsStore(pinia).reset();
      useChatStore(pinia).reset();
      useNotificationsStore(pinia).reset();
    }
    if (userId && userId !== previous) {
      const match = useMatchStore(pinia);
      match.listen();
      void match.loadStatus().catch(() => undefined);
      void useRoomsStore(pinia)
        .refresh()
        .catch(() => undefined);
      void useNotificationsStore(pinia)
        .load()
        .catch(() => undefined);
    }
  },
);
watch(
  () => auth().status,
  (status) => {
    if (status === 'anonymous' && router.currentRoute.value.meta.auth) void router.push({ name: 'login' });
  },
);

app.use(i18n).use(router).mount('#app');

// The installable app: the shell works offline; a tapped notification opens its screen here.
void registerServiceWorker();
onNotificationOpen((path) => void router.push(path));
