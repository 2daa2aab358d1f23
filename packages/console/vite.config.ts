/** The console's build: served under /console/ (CloudFront in AWS, local/console-server.ts here). */
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
});
