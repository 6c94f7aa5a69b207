// Copies the browser assets Kaohe serves from node_modules into static/vendor/
// (git-ignored), so pages never load anything from a CDN: campus intranets are often offline.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const target = process.env.VENDOR_DIR || join(root, "kaohe", "static", "vendor");

const files = {
  "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
  "@tabler/core/dist/css/tabler.min.css": "tabler/tabler.min.css",
  // The source maps the minified files name: collectstatic's manifest storage needs them.
  "@tabler/core/dist/css/tabler.min.css.map": "tabler/tabler.min.css.map",
  "@tabler/core/dist/js/tabler.min.js": "tabler/tabler.min.js",
  "@tabler/core/dist/js/tabler.min.js.map": "tabler/tabler.min.js.map",
  "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
};

rmSync(target, { recursive: true, force: true });
for (const [from, to] of Object.entries(files)) {
  const dest = join(target, to);
  mkdirSync(dirname(dest), { recursive: true });
  cpSync(join(root, "node_modules", from), dest);
}
console.log(`copied ${Object.keys(files).length} vendor files to ${target}`);
