import { randomUUID } from 'node:crypto';
import { escapeHtml } from '../core/html.js';
import type { AttentionSource } from './attention.js';
import { PALETTE } from './figure.js';
import { figureJson } from './html.js';

/** Lines lighter than this are not drawn: invisible anyway, and they would swamp the SVG. */
export const HEAD_VIEW_MIN_WEIGHT = 0.01;

export interface HeadViewOptions {
  /** Layer shown first (default 1); a menu switches layers. */
  layer?: number;
  /** Head shown first (default every head, one colour each); a menu switches heads. */
  head?: number | 'all';
  /** Lines between tokens (bertviz's head view) or a query × key matrix (default lines). */
  view?: 'lines' | 'matrix';
  /** Decimals kept of each weight (default 3): a sentence's every map stays small. */
  decimals?: number;
}

/** What the page script reads: every layer's maps, each head's as a row-major [seq × seq] list. */
interface HeadViewData {
  tokens: string[];
  layers: number[];
  numHeads: number;
  attention: number[][][]; // [layer index][head][query * seq + key]
  colors: string[];
  minWeight: number;
  start: { layer: number; head: number | 'all'; view: 'lines' | 'matrix' };
}

/**
 * An interactive attention view for a notebook, like bertviz's head view: the text's tokens twice,
 * queries on the left, keys on the right, a line from each query to each key it attends to, as
 * opaque as the attention weight; menus pick the layer, the head (or all heads, one colour each)
 * and lines or a matrix; hovering a token shows only its lines. Self-contained HTML (no network):
 * show it with `showHtml`, or save it as a page.
 */
export function headView(activations: AttentionSource, options: HeadViewOptions = {}): string {
  const { tokens } = activations;
  const layers = activations.attentionLayers;
  if (layers.length === 0) throw new Error('headView: no attention maps; run embedTokens with { attentions: true }');
  const seq = tokens.length;
  const decimals = options.decimals ?? 3;
  const scale = 10 ** decimals;
  const attention = layers.map((l) =>
    activations.attention(l).map((m) => {
      if (m.length !== seq * seq) throw new Error(`layer ${l}: an attention map of ${m.length} values for ${seq} tokens`);
      return Array.from(m, (w) => Math.round(w * scale) / scale);
    }),
  );
  const numHeads = Math.max(...attention.map((heads) => heads.length));
  const layer = options.layer ?? layers[0];
  if (!layers.includes(layer)) throw new Error(`layer ${layer} has no attention maps; layers with attention: ${layers.join(', ')}`);
  const head = options.head ?? 'all';
  if (head !== 'all' && !(Number.isInteger(head) && head >= 0 && head < numHeads)) throw new Error(`head must be 'all' or an integer from 0 to ${numHeads - 1}, got ${head}`);
  const data: HeadViewData = {
    tokens: [...tokens],
    layers,
    numHeads,
    attention,
    colors: Array.from({ length: numHeads }, (_, h) => PALETTE[h % PALETTE.length]),
    minWeight: HEAD_VIEW_MIN_WEIGHT,
    start: { layer, head, view: options.view ?? 'lines' },
  };
  const id = `layerwise-head-view-${randomUUID()}`;
  const select = (role: string, label: string) => `<label style="margin-right:12px">${escapeHtml(label)} <select data-role="${role}"></select></label>`;
  return `<div class="layerwise-head-view" id="${id}" style="font:12px system-ui,sans-serif">
<div style="margin:4px 0">${select('layer', 'Layer')}${select('head', 'Head')}${select('view', 'View')}</div>
<svg xmlns="http://www.w3.org/2000/svg" style="display:block"></svg>
<script type="text/javascript">
(${HEAD_VIEW_SCRIPT})(${JSON.stringify(id)}, ${figureJson(data)});
</script>
</div>
`;
}

/**
 * The page side, as source text: it runs in the notebook's browser, so it is plain JavaScript using
 * only the DOM (a compiled function's text could carry the compiler's helpers). Lines and cells
 * carry data-q / data-k / data-h, so a test can read what was drawn.
 */
const HEAD_VIEW_SCRIPT = String.raw`function (id, data) {
  var root = document.getElementById(id);
  if (!root) return;
  var svgNs = 'http://www.w3.org/2000/svg';
  var svg = root.querySelector('svg');
  function menu(role) { return root.querySelector('select[data-role="' + role + '"]'); }
  var layerMenu = menu('layer'), headMenu = menu('head'), viewMenu = menu('view');
  function option(sel, value, label) {
    var o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    sel.appendChild(o);
  }
  data.layers.forEach(function (l) { option(layerMenu, String(l), String(l)); });
  option(headMenu, 'all', 'all');
  for (var h = 0; h < data.numHeads; h++) option(headMenu, String(h), String(h));
  option(viewMenu, 'lines', 'lines');
  option(viewMenu, 'matrix', 'matrix');
  layerMenu.value = String(data.start.layer);
  headMenu.value = String(data.start.head);
  viewMenu.value = data.start.view;
  var seq = data.tokens.length;
  function el(name, attrs, text, parent) {
    var e = document.createElementNS(svgNs, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) e.textContent = text;
    (parent || svg).appendChild(e);
    return e;
  }
  function draw() {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var maps = data.attention[data.layers.indexOf(Number(layerMenu.value))];
    var heads = headMenu.value === 'all' ? maps.map(function (_, h) { return h; }) : [Number(headMenu.value)];
    var textWidth = Math.max(40, 7 * Math.max.apply(null, data.tokens.map(function (t) { return t.length; })));
    var q, k;
    if (viewMenu.value === 'lines') {
      var row = 18, left = textWidth + 8, right = left + 220;
      svg.setAttribute('width', String(right + textWidth + 16));
      svg.setAttribute('height', String(row * seq + 12));
      var y = function (i) { return 12 + row * i; };
      var lines = [];
      heads.forEach(function (h) {
        for (q = 0; q < seq; q++) {
          for (k = 0; k < seq; k++) {
            var w = maps[h][q * seq + k];
            if (w < data.minWeight) continue;
            lines.push(el('line', { x1: left, y1: y(q) - 4, x2: right, y2: y(k) - 4, stroke: data.colors[h], 'stroke-width': 2, 'stroke-opacity': w, 'data-q': q, 'data-k': k, 'data-h': h }));
          }
        }
      });
      // Hovering a token keeps only its lines: what it attends to (left) or what attends to it (right).
      var focus = function (attr, i) {
        lines.forEach(function (line) { line.style.display = i === null || line.getAttribute(attr) === String(i) ? '' : 'none'; });
      };
      data.tokens.forEach(function (t, i) {
        var queryLabel = el('text', { x: left - 6, y: y(i), 'text-anchor': 'end', 'data-role': 'query', style: 'cursor:default' }, t);
        var keyLabel = el('text', { x: right + 6, y: y(i), 'text-anchor': 'start', 'data-role': 'key', style: 'cursor:default' }, t);
        queryLabel.addEventListener('mouseenter', function () { focus('data-q', i); });
        keyLabel.addEventListener('mouseenter', function () { focus('data-k', i); });
        queryLabel.addEventListener('mouseleave', function () { focus('data-q', null); });
        keyLabel.addEventListener('mouseleave', function () { focus('data-k', null); });
      });
    } else {
      var cell = Math.max(8, Math.min(22, Math.floor(560 / seq)));
      var top = textWidth + 8, start = textWidth + 8;
      svg.setAttribute('width', String(start + cell * seq + 8));
      svg.setAttribute('height', String(top + cell * seq + 8));
      data.tokens.forEach(function (t, i) {
        el('text', { x: start - 4, y: top + cell * i + cell * 0.7, 'text-anchor': 'end', 'data-role': 'query' }, t);
        el('text', { x: 0, y: 0, 'text-anchor': 'start', transform: 'translate(' + (start + cell * i + cell * 0.7) + ',' + (top - 4) + ') rotate(-90)', 'data-role': 'key' }, t);
      });
      // Several heads: each cell is their mean, in grey, since one colour cannot hold many heads.
      var color = heads.length === 1 ? data.colors[heads[0]] : '#333333';
      var means = [];
      for (q = 0; q < seq * seq; q++) {
        var sum = 0;
        heads.forEach(function (h) { sum += maps[h][q]; });
        means.push(sum / heads.length);
      }
      // Shade relative to the map's largest weight: diffuse heads would otherwise be all but white.
      var top1 = Math.max.apply(null, means) || 1;
      for (q = 0; q < seq; q++) {
        for (k = 0; k < seq; k++) {
          var mean = means[q * seq + k];
          var rect = el('rect', { x: start + cell * k, y: top + cell * q, width: cell - 1, height: cell - 1, fill: color, 'fill-opacity': mean / top1, 'data-q': q, 'data-k': k, 'data-weight': mean });
          el('title', {}, data.tokens[q] + ' \u2192 ' + data.tokens[k] + ': ' + mean.toFixed(3), rect);
        }
      }
    }
  }
  [layerMenu, headMenu, viewMenu].forEach(function (m) { m.addEventListener('change', draw); });
  draw();
}`;
