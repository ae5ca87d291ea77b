import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig, type Manifest } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const outDir = fileURLToPath(new URL('./dist', import.meta.url));

/**
 * The files of the Vue app (index.html's entry with every chunk it imports, statically or lazily,
 * and their CSS) from the build's manifest: the playground's GraphiQL chunks (about 2 MB, for
 * /playground, which always goes to the network) stay out of the precache.
 */
function appShellFiles(): Set<string> {
  const manifest = JSON.parse(readFileSync(`${outDir}/.vite/manifest.json`, 'utf8')) as Manifest;
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const file of [...(chunk.css ?? []), ...(chunk.assets ?? [])]) files.add(file);
    for (const next of [...(chunk.imports ?? []), ...(chunk.dynamicImports ?? [])]) visit(next);
  };
  visit('index.html');
  return files;
}

// In development the API runs on :4000; Vite proxies GraphQL (HTTP and WebSocket) to it.
export default defineConfig({
  plugins: [
    vue(),
    // The installable app: the manifest, and the service worker (web/sw/sw.ts) with the precache
    // list of the app shell injected. main.ts registers it; the playground is never precached.
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'sw',
      filename: 'sw.ts',
      injectRegister: false,
      manifest: {
        name: 'randchat',
        short_name: 'randchat',
        description: 'Random 1:1 chat with people nearby',
        id: '/',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: '#4f46e5',
        background_color: '#f6f7fb',
        icons: [
          { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      // The glob below takes the icons already.
      includeManifestIcons: false,
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png}'],
        globIgnores: ['playground.html'],
        dontCacheBustURLsMatching: /^assets\//,
        manifestTransforms: [
          (entries) => {
            const app = appShellFiles();
            return { manifest: entries.filter((e) => !e.url.startsWith('assets/') || app.has(e.url)) };
          },
        ],
      },
    }),
  ],
  server: {
    proxy: {
      '/graphql': { target: 'http://127.0.0.1:4000', ws: true },
      // The web app's image uploads and signed media URLs, same origin as in production.
      '/uploads': 'http://127.0.0.1:4000',
      '/media': 'http://127.0.0.1:4000',
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // dist/.vite/manifest.json: which chunks the app shell needs (appShellFiles).
    manifest: true,
    rolldownOptions: {
      // Two pages: the Vue app, and the GraphQL playground (GraphiQL) the API serves at /playground.
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        playground: fileURLToPath(new URL('./playground.html', import.meta.url)),
      },
      // GraphiQL's React dependencies carry "use client" directives, meaningless in a browser-only bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
