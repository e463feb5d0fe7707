/**
 * HTML building blocks. Every string that comes from results (sweep names, config values, error
 * messages, anomaly explanations) goes through `escapeHtml` — the site renders untrusted files.
 */

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for an element's content or a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** Markup that is already safe: produced by `html` or by a trusted renderer (the chart SVGs). */
export class Safe {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export const raw = (markup: string): Safe => new Safe(markup);

type Part = Safe | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Safe) return part.html;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(part);
}

/** A template tag that escapes every interpolated value unless it is `Safe` (arrays are joined). */
export function html(strings: TemplateStringsArray, ...values: Part[]): Safe {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Safe(out);
}

/** The site's stylesheet: small, inline, readable without JavaScript, printable. */
const CSS = `
:root{color-scheme:light;--fg:#1a1a1a;--muted:#555;--line:#d0d0d0;--bg:#fff;--accent:#0b5cad;--bad:#a31515;--good:#1b6e20}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0}
header,main,footer{max-width:1200px;margin:0 auto;padding:0 1rem}
header{border-bottom:1px solid var(--line);padding-top:.5rem;padding-bottom:.5rem}
header nav a{margin-right:1rem}
a{color:var(--accent)}
h1{font-size:1.6rem;margin:1rem 0 .5rem}h2{font-size:1.25rem;margin:1.5rem 0 .5rem}h3{font-size:1.05rem}
.muted{color:var(--muted)}.bad{color:var(--bad);font-weight:600}.good{color:var(--good);font-weight:600}
.answer{border-left:4px solid var(--accent);padding:.25rem 1rem;margin:1rem 0;background:#f5f8fc}
.table-wrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:13px;margin:.5rem 0}
th,td{border:1px solid var(--line);padding:.2rem .45rem;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th{background:#f0f0f0}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit;text-align:left}
th[aria-sort=ascending] button::after{content:" \\25B2"}th[aria-sort=descending] button::after{content:" \\25BC"}
figure{margin:1rem 0}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.chart svg{max-width:100%;height:auto}
.panels{display:flex;flex-wrap:wrap;gap:1rem}
.columns{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem}dl.kv dt{font-weight:600}dl.kv dd{margin:0}
pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
pre{background:#f6f6f6;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-word}
ol.edges li{margin:.2rem 0}
footer{border-top:1px solid var(--line);margin-top:2rem;padding-top:.5rem;padding-bottom:1rem;font-size:13px}
@media (max-width:800px){.columns{grid-template-columns:1fr}}
`;

/**
 * Sorts any table marked `data-sortable` when its header buttons are pressed. Progressive: without
 * JavaScript the table is still complete, in the order the generator wrote it. Cells with a
 * `data-sort` value sort numerically on it; empty cells go last.
 */
const SORT_SCRIPT = `
document.querySelectorAll('table[data-sortable]').forEach(function(table){
  var heads=table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads,function(th,col){
    var b=document.createElement('button');b.type='button';b.textContent=th.textContent;
    th.textContent='';th.appendChild(b);
    b.addEventListener('click',function(){
      var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
      Array.prototype.forEach.call(heads,function(h){h.removeAttribute('aria-sort')});
      th.setAttribute('aria-sort',dir===1?'ascending':'descending');
      var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
      var key=function(r){var c=r.cells[col];if(!c)return null;var s=c.getAttribute('data-sort');
        if(s!==null)return s===''?null:Number(s);var t=c.textContent.trim();return t===''?null:t};
      rows.sort(function(a,b){var x=key(a),y=key(b);if(x===null)return y===null?0:1;if(y===null)return -1;
        if(typeof x==='number'&&typeof y==='number')return (x-y)*dir;return String(x).localeCompare(String(y),undefined,{numeric:true})*dir});
      rows.forEach(function(r){body.appendChild(r)});
    });
  });
});
`;

export interface PageOptions {
  readonly title: string;
  /** Relative path from this page to the site root, e.g. `../../` (`` for the root). */
  readonly root: string;
  readonly body: Safe;
  /** Include the table-sorting script. */
  readonly sortable?: boolean;
}

/** A complete page: the layout, the inline CSS, navigation by relative links only. */
export function page({ title, root, body, sortable = false }: PageOptions): string {
  const home = root === '' ? './' : root;
  return `<!doctype html>
${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title} — manifest-lab</title>
<style>${raw(CSS)}</style>
</head>
<body>
<header><nav aria-label="Site"><a href="${home}index.html">manifest-lab results</a><a href="${root}compare/index.html">Compare</a></nav></header>
<main>
<h1>${title}</h1>
${body}
</main>
<footer>Generated by manifest-lab-report from the CSV and JSON files linked on each page. Works offline; tables sort with JavaScript on.</footer>
${sortable ? raw(`<script>${SORT_SCRIPT}</script>`) : ''}
</body>
</html>`.html}
`;
}
