/**
 * The API's module boundaries, checked in CI (`npm run lint` runs `npm run deps:check`).
 * Modules (api/src/modules/<name>) depend in one direction: users at the bottom; auth and media
 * above it; chat above media; matching above chat; push (Web Push) above chat and matching; trust (phone
 * verification, the trust policy) above users only; moderation above chat (sanctions reach auth and
 * matching as users' domain events). A module reaches another only through its
 * `index.ts`; entity files may map relations to another module's entity (a foreign key), in the
 * same direction. infra/ is generic and never imports a module or the composition root.
 * `npm run deps:graph` prints the module picture and counts cycles between modules.
 */
const MODULE = '^api/src/modules/';
const notTests = String.raw`\.test\.ts$|\.contract\.ts$|^api/test/`;

/**
 * `from` may not import any module in `names`.
 * @param {string} from
 * @param {string[]} names
 */
const below = (from, names) => ({
  name: `${from}-not-to-${names.join('-')}`,
  comment: `${from} sits below ${names.join(', ')}: it may not import them (cross-module effects travel as domain events)`,
  severity: 'error',
  from: { path: `${MODULE}${from}/`, pathNot: notTests },
  to: { path: `${MODULE}(${names.join('|')})/` },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles (MikroORM entity pairs of one module map both sides of a relation and may)',
      severity: 'error',
      from: { pathNot: String.raw`\.entity\.ts$` },
      to: { circular: true },
    },
    {
      name: 'infra-not-to-modules',
      comment: 'infra/ is generic: modules and the composition root plug into it, never the reverse',
      severity: 'error',
      from: { path: '^api/src/infra/', pathNot: notTests },
      to: { path: ['^api/src/modules/', String.raw`^api/src/(server|registry|adapters|main)\.ts$`] },
    },
    {
      name: 'modules-through-index',
      comment: 'A module reaches another only through its index.ts, never its entities, services or SQL',
      severity: 'error',
      from: { path: `${MODULE}([^/]+)/`, pathNot: `${notTests}|\\.entity\\.ts$` },
      to: { path: MODULE, pathNot: [`${MODULE}$1/`, String.raw`${MODULE}[^/]+/index\.ts$`] },
    },
    {
      name: 'entities-to-entities',
      comment: "An entity may map a relation to another module's entity (a foreign key), nothing else of it",
      severity: 'error',
      from: { path: String.raw`${MODULE}([^/]+)/.+\.entity\.ts$` },
      to: { path: MODULE, pathNot: [`${MODULE}$1/`, String.raw`\.entity\.ts$`] },
    },
    below('users', ['auth', 'media', 'chat', 'matching', 'push', 'trust', 'moderation']),
    below('trust', ['auth', 'media', 'chat', 'matching', 'push', 'moderation']),
    below('auth', ['media', 'chat', 'matching', 'push', 'moderation']),
    below('media', ['auth', 'chat', 'matching', 'push', 'moderation']),
    below('chat', ['auth', 'matching', 'push', 'moderation']),
    below('matching', ['auth', 'push', 'moderation']),
    below('push', ['auth', 'media', 'moderation']),
    below('moderation', ['auth', 'matching', 'push', 'trust']),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '/migrations/' },
    // Type-only imports tie modules together as much as values do.
    tsPreCompilationDeps: true,
  },
};
