import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AxeResults } from 'axe-core';
import type { ExecutionContext } from 'ava';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { tempDir } from './daemon.ts';

// Debian's Chromium driven by playwright-core: headless, a fresh profile per test, nothing
// reached but the daemon on 127.0.0.1. Screenshots go to test-results/console/.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve('test-results', 'console');

export interface Chromium {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function openChromium(options: { locale?: string } = {}): Promise<Chromium> {
  const context = await chromium.launchPersistentContext(tempDir('provisiond-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    locale: options.locale ?? 'en-US',
    viewport: { width: 1280, height: 860 },
    permissions: ['clipboard-read', 'clipboard-write'],
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      // Containers often give /dev/shm a few MB: a page that outgrows it crashes the renderer.
      '--disable-dev-shm-usage',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page, close: () => context.close() };
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

let axeSource: string | undefined;

/**
 * axe-core on the page as it stands: no serious or critical violation. Saves a screenshot too.
 *
 * axe is put into a document once and kept for its later checks: the console is one page that
 * changes screens without loading, and evaluating axe's source (about 570 KB) took longer than
 * its rules. Every rule runs; only the violations are gathered, as they are all this asserts.
 * The console has no frames, so the top document is the whole screen.
 */
export async function checkScreen(t: ExecutionContext, page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  if (await page.evaluate(() => !('axe' in window))) {
    axeSource ??= readFileSync(
      createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
      'utf8',
    );
    await page.evaluate(axeSource);
  }
  const result: AxeResults = await page.evaluate(() =>
    (window as unknown as { axe: typeof import('axe-core') }).axe.run(document, {
      resultTypes: ['violations'],
    }),
  );
  const blocking = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  t.deepEqual(blocking, [], `accessibility of ${name}`);
}

export async function clipboardText(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}
