// Dashboard build: hashed assets in dist/assets (embedded into the binary by
// src/web), no inline scripts or data: URLs (the server's CSP is script-src
// 'self'; style-src 'self'), and a dev server that proxies to a running scanner.
import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

const backend = process.env.FNO_BACKEND ?? 'http://127.0.0.1:5055';

interface ProxyLike {
  on(event: string, fn: (req: { removeHeader(name: string): void }) => void): void;
}

function dropOrigin(proxy: ProxyLike): void {
  proxy.on('proxyReq', (req) => req.removeHeader('origin'));
  proxy.on('proxyReqWs', (req) => req.removeHeader('origin'));
}

export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    modulePreload: { polyfill: false },
    rollupOptions: {
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
  server: {
    // The scanner refuses foreign Origins (CSRF / WS hijack guard); the dev
    // proxy is same-machine, so it presents requests as the scanner's own.
    proxy: {
      '/api': { target: backend, changeOrigin: true, configure: dropOrigin },
      '/metrics': { target: backend, changeOrigin: true },
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true, changeOrigin: true, configure: dropOrigin },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
