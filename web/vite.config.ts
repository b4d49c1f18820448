/**
 * The dashboard is served under /app/ on the same origin as the API. `npm run dev` serves it
 * with hot reload and forwards everything else to the local stack (`make run`, port 3000), so
 * the app calls the API, the local sign-in pages and /app/config.json as it does when deployed.
 */
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

const stack = process.env["MOBILISE_URL"] ?? "http://127.0.0.1:3000";
// Paths of the local stack, not of the app (the app's own routes are all under /app/).
const forwarded = ["/petitions", "/signatures", "/r/", "/unsubscribe", "/nudges", "/respond",
  "/rsvp", "/p/", "/start", "/static", "/_local", "/app/config.json", "/app/preview-frame.html"];

export default defineConfig({
  base: "/app/",
  plugins: [preact()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, target: "es2022" },
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    proxy: Object.fromEntries(forwarded.map((path) => [path, { target: stack }])),
  },
});
