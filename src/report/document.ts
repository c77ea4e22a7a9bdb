import { escapeHtml } from '../core/html.js';

/**
 * A report as data, written once and rendered twice: Markdown for reading anywhere, and HTML for
 * printing to PDF. Text uses a small inline subset of Markdown: `code`, **bold**, *italic*.
 */
export type Block =
  | { kind: 'paragraph'; text: string }
  | { kind: 'heading'; text: string } // a subsection
  | { kind: 'list'; items: readonly string[]; ordered?: boolean }
  | { kind: 'table'; header: readonly string[]; rows: ReadonlyArray<readonly string[]>; caption?: string }
  /** A figure exported beside the report as `<image>.png` and `<image>.svg`; without an image, `missing` says why. */
  | { kind: 'figure'; image?: string; caption: string; missing: string }
  | { kind: 'note'; text: string };

export interface Section {
  id: string; // stable across languages: theory, system, results, conclusions, sources
  title: string;
  blocks: readonly Block[];
}

export interface ReportDocument {
  lang: string; // BCP 47, for <html lang>
  title: string;
  subtitle: string;
  sections: readonly Section[];
}

/** When a report was generated, to the minute: `2026-11-27 04:25 UTC`. */
export function reportDate(at = new Date()): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function blockMarkdown(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return block.text;
    case 'heading':
      return `### ${block.text}`;
    case 'note':
      return `> ${block.text}`;
    case 'list':
      return block.items.map((item, i) => `${block.ordered ? `${i + 1}.` : '-'} ${item}`).join('\n');
    case 'table':
      return [
        ...(block.caption ? [`*${block.caption}*`, ''] : []),
        `| ${block.header.map(cell).join(' | ')} |`,
        `| ${block.header.map(() => '---').join(' | ')} |`,
        ...block.rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
      ].join('\n');
    case 'figure':
      return block.image ? `![${block.caption}](${block.image}.png)\n\n*${block.caption}*` : `*${block.caption}* — ${block.missing}`;
  }
}

export function documentMarkdown(doc: ReportDocument): string {
  const parts = [`# ${doc.title}`, doc.subtitle, ...doc.sections.flatMap((s) => [`## ${s.title}`, ...s.blocks.map(blockMarkdown)])];
  return parts.join('\n\n') + '\n';
}

/** The inline Markdown subset as HTML, after escaping everything else. */
export function inlineHtml(text: string): string {
  return escapeHtml(text, { quotes: false })
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*\w])\*([^*\s][^*]*)\*(?![*\w])/g, '$1<em>$2</em>')
    .replace(/(https?:\/\/[^\s<)]+[^\s<).,;])/g, '<a href="$1">$1</a>');
}

function blockHtml(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p>${inlineHtml(block.text)}</p>`;
    case 'heading':
      return `<h3>${inlineHtml(block.text)}</h3>`;
    case 'note':
      return `<p class="note">${inlineHtml(block.text)}</p>`;
    case 'list': {
      const tag = block.ordered ? 'ol' : 'ul';
      return `<${tag}>${block.items.map((i) => `<li>${inlineHtml(i)}</li>`).join('')}</${tag}>`;
    }
    case 'table':
      return `<table>${block.caption ? `<caption>${inlineHtml(block.caption)}</caption>` : ''}<thead><tr>${block.header.map((h) => `<th>${inlineHtml(h)}</th>`).join('')}</tr></thead><tbody>${block.rows.map((r) => `<tr>${r.map((c) => `<td>${inlineHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
    case 'figure':
      // The SVG export: Chromium prints it as vectors.
      return `<figure>${block.image ? `<img src="${escapeHtml(block.image)}.svg" alt="${escapeHtml(block.caption)}">` : `<p class="note">${inlineHtml(block.missing)}</p>`}<figcaption>${inlineHtml(block.caption)}</figcaption></figure>`;
  }
}

const PRINT_CSS = `@page { size: A4; margin: 16mm 14mm; }
body { font-family: 'DejaVu Serif', serif; font-size: 10.5pt; line-height: 1.4; color: #111; margin: 0; }
h1 { font-size: 20pt; margin: 0 0 4pt; } h2 { font-size: 15pt; border-bottom: 1px solid #999; padding-bottom: 2pt; } h3 { font-size: 12pt; margin-bottom: 2pt; }
section + section { break-before: page; }
table { border-collapse: collapse; font-size: 8.5pt; margin: 6pt 0 10pt; width: 100%; break-inside: auto; }
caption { caption-side: top; text-align: left; font-style: italic; padding-bottom: 3pt; }
th, td { border: 1px solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #eee; } tr { break-inside: avoid; }
figure { margin: 8pt 0 14pt; break-inside: avoid; } figure img { width: 100%; height: auto; display: block; }
figcaption { font-size: 9pt; font-style: italic; margin-top: 3pt; }
code { font-family: 'DejaVu Sans Mono', monospace; font-size: 0.92em; }
.note { border-left: 3px solid #c90; padding-left: 6pt; color: #444; }
a { color: #124; text-decoration: none; word-break: break-all; }
.subtitle { color: #444; }`;

/** A page meant for printing (A4, one section per page run, figures as the SVG files beside it). */
export function documentPrintHtml(doc: ReportDocument): string {
  const sections = doc.sections.map((s) => `<section id="${escapeHtml(s.id)}">\n<h2>${inlineHtml(s.title)}</h2>\n${s.blocks.map(blockHtml).join('\n')}\n</section>`);
  return `<!DOCTYPE html>\n<html lang="${escapeHtml(doc.lang)}">\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(doc.title)}</title>\n<style>\n${PRINT_CSS}\n</style>\n</head>\n<body>\n<h1>${inlineHtml(doc.title)}</h1>\n<p class="subtitle">${inlineHtml(doc.subtitle)}</p>\n${sections.join('\n')}\n</body>\n</html>\n`;
}
