/** The connections view sends the browser only to an https authorization server, or http on a loopback host. */
import { describe, expect, it } from 'vitest';
import { mayNavigateTo } from '../../packages/console/src/you/authorize-url.js';

describe('where the console may send the browser to connect an account', () => {
  it('allows https anywhere and http on a loopback host', () => {
    expect(mayNavigateTo('https://auth.example.com/authorize?state=s')).toBe(true);
    expect(mayNavigateTo('http://127.0.0.1:4010/authorize?state=s')).toBe(true);
    expect(mayNavigateTo('http://localhost:4010/authorize')).toBe(true);
    expect(mayNavigateTo('http://[::1]:4010/authorize')).toBe(true);
  });

  it('refuses other schemes, http to another host, and what is not a URL', () => {
    expect(mayNavigateTo('javascript:alert(1)')).toBe(false);
    expect(mayNavigateTo('data:text/html,<script>alert(1)</script>')).toBe(false);
    expect(mayNavigateTo('http://auth.example.com/authorize')).toBe(false);
    expect(mayNavigateTo('http://127.0.0.1.example.com/authorize')).toBe(false);
    expect(mayNavigateTo('/authorize')).toBe(false);
  });
});
