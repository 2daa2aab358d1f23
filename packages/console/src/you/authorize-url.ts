/**
 * Whether the console may send the browser to an authorization server's URL: https, or plain http
 * only on a loopback host (the local demo's OAuth server). Anything else — `javascript:`, `data:`,
 * http to another host — is refused before navigating.
 */
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

export function mayNavigateTo(authorizeUrl: string): boolean {
  if (!URL.canParse(authorizeUrl)) return false;
  const url = new URL(authorizeUrl);
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname));
}
