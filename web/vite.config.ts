import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// In development the API runs on :4000; Vite proxies GraphQL (HTTP and WebSocket) to it.
export default defineConfig({
  plugins: [vue()],
  server: {
    proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true } },
  },
  build: { outDir: 'dist', emptyOutDir: true },
});
