/**
 * A minimal browser for OAuth sign-ins: keeps cookies per origin, follows redirects by hand, and
 * submits the authorization server's login and consent forms — what a person clicking through
 * would send. It stops at the first redirect to `stopAt` (the platform's callback) and returns
 * that URL, code and state included, without fetching it.
 */
export class TestBrowser {
  readonly #cookies = new Map<string, Map<string, string>>();

  /** Opens `url` and signs in as `login`, consenting to what is asked; returns the callback URL reached. */
  async signIn(url: string, login: string, stopAt: string): Promise<URL> {
    let next = new URL(url);
    let form: Record<string, string> | undefined;
    for (let hop = 0; hop < 20; hop += 1) {
      if (next.href.startsWith(stopAt)) return next;
      const response = await this.#send(next, form);
      form = undefined;
      const location = response.headers.get('location');
      if (location !== null) {
        next = new URL(location, next);
        continue;
      }
      const page = await response.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
      if (response.status !== 200 || action === undefined)
        throw new Error(
          `sign-in stopped at ${next.href}: ${response.status} ${page
            .replace(/<[^>]+>/g, ' ')
            .replace(/\s+/g, ' ')
            .slice(-400)}`,
        );
      const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1] ?? '';
      form = prompt === 'login' ? { prompt, login, password: 'demo' } : { prompt };
      next = new URL(action.replaceAll('&amp;', '&'), next);
    }
    throw new Error('too many redirects during sign-in');
  }

  async #send(url: URL, form: Record<string, string> | undefined): Promise<Response> {
    const jar = this.#cookies.get(url.origin) ?? new Map<string, string>();
    this.#cookies.set(url.origin, jar);
    const response = await fetch(url, {
      method: form === undefined ? 'GET' : 'POST',
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(form === undefined ? {} : { body: new URLSearchParams(form).toString() }),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      if (at > 0) jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    return response;
  }
}
