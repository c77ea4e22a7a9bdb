/**
 * Text safe inside HTML. Attribute values need `"` escaped too; Plotly labels must not have it
 * escaped (Plotly's label HTML knows only a few named entities, and `&quot;` is not one).
 */
export function escapeHtml(text: string, { quotes = true }: { quotes?: boolean } = {}): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return quotes ? escaped.replace(/"/g, '&quot;') : escaped;
}
