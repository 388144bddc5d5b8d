import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** Where `npm run dev -w @ingot/dashboard` sends API calls: an Ingot running locally. */
const INGOT = process.env.INGOT_URL ?? "http://127.0.0.1:8288";

export default defineConfig({
  base: "/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  server: {
    proxy: Object.fromEntries(
      ["/v1", "/auth", "/health"].map((path) => [path, { target: INGOT, changeOrigin: false }]),
    ),
  },
});
