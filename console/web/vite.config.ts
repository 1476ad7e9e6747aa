import { defineConfig } from 'vite';

// The console is served by the origin under /console/ from files embedded in
// the Go binary (../dist); asset names carry a content hash so the origin can
// cache them forever.
export default defineConfig({
  base: '/console/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // One small app: a single chunk keeps the embedded file list short.
    chunkSizeWarningLimit: 400,
  },
});
