import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// In development the API runs on :4000; Vite proxies GraphQL (HTTP and WebSocket) to it.
export default defineConfig({
  plugins: [vue()],
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
