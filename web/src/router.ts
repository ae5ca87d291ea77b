import type { Pinia } from 'pinia';
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { useAuthStore } from './stores/auth';

declare module 'vue-router' {
  interface RouteMeta {
    /** Needs a session; else the login screen, then back here. */
    auth?: boolean;
    /** Only without a session (login, sign-up): signed-in users go home. */
    guest?: boolean;
    /** i18n key of the page title. */
    title?: string;
    /** Only for moderators (User.role); others get the not-found page. */
    moderator?: boolean;
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: () => import('./views/HomeView.vue'), meta: { auth: true, title: 'nav.home' } },
  {
    path: '/rooms',
    name: 'rooms',
    component: () => import('./views/RoomsView.vue'),
    meta: { auth: true, title: 'nav.rooms' },
  },
  {
    path: '/rooms/:id',
    name: 'room',
    component: () => import('./views/ChatView.vue'),
    meta: { auth: true, title: 'nav.rooms' },
    props: true,
  },
  {
    path: '/account',
    name: 'account',
    component: () => import('./views/AccountView.vue'),
    meta: { auth: true, title: 'nav.account' },
  },
  {
    path: '/moderation',
    name: 'moderation',
    component: () => import('./views/ModerationView.vue'),
    meta: { auth: true, moderator: true, title: 'moderation.title' },
  },
  {
    path: '/login',
    name: 'login',
    component: () => import('./views/LogInView.vue'),
    meta: { guest: true, title: 'auth.logIn' },
  },
  {
    path: '/signup',
    name: 'signup',
    component: () => import('./views/SignUpView.vue'),
    meta: { guest: true, title: 'auth.signUp' },
  },
  {
    path: '/forgot-password',
    name: 'forgot',
    component: () => import('./views/ForgotPasswordView.vue'),
    meta: { title: 'auth.forgotTitle' },
  },
  {
    path: '/reset-password',
    name: 'reset',
    component: () => import('./views/ResetPasswordView.vue'),
    meta: { title: 'auth.resetTitle' },
  },
  {
    path: '/unlock',
    name: 'unlock',
    component: () => import('./views/UnlockView.vue'),
    meta: { title: 'auth.unlockTitle' },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./views/NotFoundView.vue'),
    meta: { title: 'notFound.title' },
  },
];

/** History-mode routes; the guard waits for the session restored from the refresh cookie. */
export function createAppRouter(pinia: Pinia, restored: Promise<void>) {
  const router = createRouter({ history: createWebHistory(), routes });
  router.beforeEach(async (to) => {
    await restored;
    const auth = useAuthStore(pinia);
    if (to.meta.auth && !auth.isLoggedIn)
      return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
    if (to.meta.guest && auth.isLoggedIn) return { name: 'home' };
    if (to.meta.moderator && auth.user?.role !== 'MODERATOR')
      return { name: 'not-found', params: { pathMatch: to.path.slice(1).split('/') } };
    return true;
  });
  return router;
}

/** Where to go after logging in: the `next` query when it is an in-app path. */
export function nextPath(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}
