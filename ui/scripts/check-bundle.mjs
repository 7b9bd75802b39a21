// Fails the build when the gzipped JavaScript in dist/ exceeds the budget
// (issue: < 250 KB gzipped) or when index.html carries an inline script,
// which the server's CSP (script-src 'self') would block.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const kBudgetBytes = 250 * 1024;
const dist = new URL('../dist/', import.meta.url).pathname;
const assets = join(dist, 'assets');
let total = 0;
for (const name of readdirSync(assets)) {
  if (!name.endsWith('.js')) continue;
  const size = gzipSync(readFileSync(join(assets, name)), { level: 9 }).length;
  total += size;
  console.log(`  ${name}: ${(size / 1024).toFixed(1)} KB gzipped`);
}
console.log(`bundle: ${(total / 1024).toFixed(1)} KB gzipped JS (budget ${kBudgetBytes / 1024} KB)`);
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const inline = /<script(?![^>]*\bsrc=)[^>]*>/i.test(html) || /\sstyle=/i.test(html);
if (inline) {
  console.error('bundle: index.html has an inline script or style attribute (CSP forbids it)');
  process.exit(1);
}
if (total > kBudgetBytes) {
  console.error('bundle: over budget');
  process.exit(1);
}
