import { pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../core/atomic.js';
import { newBrowserPage } from '../viz/browser.js';

/**
 * Prints an HTML file to an A4 PDF with the shared headless Chromium. The page is opened from its
 * file so the SVG figures beside it load by their relative names, and print as vectors.
 */
export async function printPdf(htmlPath: string, pdfPath: string): Promise<void> {
  const page = await newBrowserPage();
  try {
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true, displayHeaderFooter: true, headerTemplate: '<span></span>', footerTemplate: '<div style="font-size:8px;width:100%;text-align:center;color:#666"><span class="pageNumber"></span> / <span class="totalPages"></span></div>', margin: { top: '16mm', bottom: '16mm', left: '14mm', right: '14mm' } });
    writeFileAtomic(pdfPath, pdf);
  } finally {
    await page.close();
  }
}
