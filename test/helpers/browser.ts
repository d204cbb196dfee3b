export { freePort } from './free-port.ts';

// A browser in miniature: a cookie jar per host (like a browser, cookies do not depend on the
// port), redirects followed by hand so that a test can stop at any hop, forms posted urlencoded.

export interface Page {
  status: number;
  url: string;
  location: string | null;
  text: string;
  headers: Headers;
}

/** The CSRF token a page's form carries (its hidden csrfToken field). */
export function formToken(html: string): string {
  const token = /name="csrfToken" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error(`the page has no CSRF token field:\n${html}`);
  return token;
}

export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name);
  }

  setCookie(host: string, name: string, value: string): void {
    const cookies = this.jar.get(host) ?? new Map<string, string>();
    cookies.set(name, value);
    this.jar.set(host, cookies);
  }

  private store(url: URL, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some(
        (a) =>
          /^\s*max-age=0\s*$/i.test(a) ||
          (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()),
      );
      const cookies = this.jar.get(url.hostname) ?? new Map<string, string>();
      if (expired) cookies.delete(name);
      else cookies.set(name, value);
      this.jar.set(url.hostname, cookies);
    }
  }

  /** One request, no redirect followed; a form is posted urlencoded, a `json` body as JSON. */
  async request(
    method: string,
    target: string,
    form?: Record<string, string>,
    headers: Record<string, string> = {},
    json?: unknown,
  ): Promise<Page> {
    const url = new URL(target);
    const cookies = [...(this.jar.get(url.hostname) ?? new Map<string, string>())]
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        ...(cookies && { cookie: cookies }),
        ...(form && { 'content-type': 'application/x-www-form-urlencoded' }),
        ...(json !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      body: form
        ? new URLSearchParams(form).toString()
        : json !== undefined
          ? JSON.stringify(json)
          : undefined,
    });
    this.store(url, response.headers);
    const location = response.headers.get('location');
    return {
      status: response.status,
      url: url.href,
      location: location ? new URL(location, url).href : null,
      text: await response.text(),
      headers: response.headers,
    };
  }

  /** A JSON request (as a script of the page would send it); the answer's body parsed. */
  async json(
    method: string,
    target: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Page & { body: any }> {
    const page = await this.request(method, target, undefined, headers, body);
    let parsed: unknown;
    try {
      parsed = page.text ? JSON.parse(page.text) : undefined;
    } catch {
      parsed = page.text;
    }
    return { ...page, body: parsed };
  }

  get(target: string, headers?: Record<string, string>): Promise<Page> {
    return this.request('GET', target, undefined, headers);
  }

  post(
    target: string,
    form: Record<string, string>,
    headers?: Record<string, string>,
  ): Promise<Page> {
    return this.request('POST', target, form, headers);
  }

  /** Follows GET redirects until a page answers, or until `stopAt` says to stop at a URL. */
  async follow(page: Page, stopAt: (url: string) => boolean = () => false): Promise<Page> {
    let current = page;
    for (let hops = 0; current.location && hops < 20; hops++) {
      if (stopAt(current.location)) return current;
      current = await this.get(current.location);
    }
    return current;
  }
}
