import type { Language } from './language.ts';

// Plain, accessible HTML: a language attribute, one main landmark and heading, labelled fields,
// errors announced with role="alert". No script, no framework; every value is escaped.

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** Marks a string as HTML already escaped or built from escaped parts. */
export class Html {
  constructor(readonly value: string) {}
}

export function html(
  strings: TemplateStringsArray,
  ...values: Array<string | Html | Html[] | undefined | null | false>
): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    if (value instanceof Html) out += value.value;
    else if (Array.isArray(value)) out += value.map((v) => v.value).join('');
    else if (typeof value === 'string') out += escapeHtml(value);
    out += strings[i + 1]!;
  });
  return new Html(out);
}

/** The pages' one inline style sheet; the Content-Security-Policy allows it by its hash. */
export const PAGE_STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}label{display:block;margin-top:1rem}
input{display:block;width:100%;padding:.4rem;font:inherit}button,.button{margin-top:1rem;padding:.5rem 1rem;font:inherit}
[role=alert]{border:2px solid #a00;padding:.5rem 1rem}:focus{outline:3px solid #05a}`;

export function page(lang: Language, title: string, body: Html): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · provisiond</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body.value}
</main>
</body>
</html>
`;
}

export function field(
  name: string,
  label: string,
  type: string,
  autocomplete: string,
  value = '',
  hint?: string,
): Html {
  const hintId = hint ? `${name}-hint` : undefined;
  return html`<label for="${name}">${label}</label>
<input id="${name}" name="${name}" type="${type}" autocomplete="${autocomplete}" required value="${value}"${hintId ? new Html(` aria-describedby="${hintId}"`) : ''}>
${hint ? html`<p id="${hintId}">${hint}</p>` : ''}`;
}

/** The CSRF token of a form (src/http/csrf): every form that posts carries it. */
export function csrfField(token: string): Html {
  return html`<input type="hidden" name="csrfToken" value="${token}">`;
}

export function alert(lines: string[]): Html {
  if (lines.length === 0) return new Html('');
  return lines.length === 1
    ? html`<div role="alert"><p>${lines[0]}</p></div>`
    : html`<div role="alert"><ul>${lines.map((l) => html`<li>${l}</li>`)}</ul></div>`;
}
