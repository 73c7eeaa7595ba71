// The UI build: vanilla TypeScript modules, the wasm core through the `azconn/forms` entry of the
// workspace package (loaded lazily, so the page renders before the wasm arrives; its certificate
// module only when a certificate is inspected).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    alias: {
      'azconn/forms': fileURLToPath(new URL('../packages/azconn/forms.js', import.meta.url)),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline assets: the CSP allows scripts, styles and images from 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: { port: 5173, strictPort: false },
});
