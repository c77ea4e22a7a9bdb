import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumOverride } from '../core/config.js';
import type { Figure } from './figure.js';
import { figureJson, plotlySource } from './html.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'];
const INSTALL_HINT = 'install it (apt-get install chromium) or set LAYERWISE_CHROMIUM=/path/to/chromium';

/** The Chromium to drive: $LAYERWISE_CHROMIUM, else the first system install found. Never downloads one. */
export function chromiumPath(): string {
  const fromEnv = chromiumOverride();
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`LAYERWISE_CHROMIUM=${fromEnv} does not exist; point it at a Chromium binary or unset it`);
    return fromEnv;
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error(`no Chromium found (looked in ${CANDIDATES.join(', ')}) for PNG/SVG export; ${INSTALL_HINT}`);
  return found;
}

interface Session {
  browser: Browser;
  context: BrowserContext; // ephemeral: no profile is kept
  plotlyPage?: Promise<Page>;
}

let session: Promise<Session> | undefined;

/** The shared browser, launched on first use (Playwright gives it a fresh temporary profile); `closeBrowser()` ends it. */
function browserSession(): Promise<Session> {
  session ??= (async () => {
    const executablePath = chromiumPath();
    try {
      const browser = await chromium.launch({ executablePath, args: ARGS, headless: true });
      return { browser, context: await browser.newContext() };
    } catch (err) {
      const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      throw new Error(`could not start Chromium at ${executablePath} (${first}); ${INSTALL_HINT}`);
    }
  })();
  session.catch(() => (session = undefined));
  return session;
}

/** A new tab in the shared browser (tests load saved HTML files with it). */
export async function newBrowserPage(): Promise<Page> {
  return (await browserSession()).context.newPage();
}

/** One tab with plotly.js loaded, reused for every image (loading the bundle is the slow part). */
async function plotlyPage(): Promise<Page> {
  const s = await browserSession();
  s.plotlyPage ??= (async () => {
    const page = await s.context.newPage();
    await page.setContent('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>');
    await page.addScriptTag({ content: plotlySource() });
    return page;
  })();
  return s.plotlyPage;
}

export interface ImageOptions {
  width: number;
  height: number;
  scale: number;
}

/** Renders a figure with Plotly.toImage in headless Chromium: PNG bytes, or SVG text. */
export async function renderImage(fig: Figure, format: 'png' | 'svg', options: ImageOptions): Promise<Buffer | string> {
  const page = await plotlyPage();
  const json = figureJson({ data: fig.data, layout: fig.layout });
  const out = await page.evaluate(
    ([figure, opts]) => (window as unknown as { Plotly: { toImage(f: unknown, o: unknown): Promise<string> } }).Plotly.toImage(JSON.parse(figure), opts),
    [json, { format, width: options.width, height: options.height, scale: options.scale, imageDataOnly: true }] as const,
  );
  return format === 'png' ? Buffer.from(out, 'base64') : out;
}

/** Closes the shared browser (if one was started) so the process can exit. */
export async function closeBrowser(): Promise<void> {
  const current = session;
  session = undefined;
  if (!current) return;
  const s = await current.catch(() => undefined);
  if (!s) return;
  await s.browser.close();
}
