/** CORS origins: the settings accept exact origins only, and the preflight template takes nothing else. */

import { Token } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { settingsProblems } from '../../lib/bulkhead-settings.js';
import { preflightTemplate } from '../../lib/cors-preflight.js';

const corsProblems = (origins: readonly string[]) =>
  settingsProblems({ corsOrigins: origins }).filter((problem) => problem.startsWith('cors origin'));

describe('CORS origin settings', () => {
  it('accept https origins with letters, digits, hyphens and dots and an optional port, and http on loopback', () => {
    expect(
      corsProblems([
        'https://app.example.com',
        'https://my-app2.example.co.uk:8443',
        'http://localhost:5173',
        'http://127.0.0.1:3000',
        'http://[::1]:5173',
      ]),
    ).toEqual([]);
  });

  it.each([
    ['a double quote', 'https://app.example.com"||true||"'],
    ['a dollar', 'https://app.example.com$origin'],
    ['a single quote', "https://app'.example.com"],
    ['braces', 'https://app.example.com{x}'],
    ['a hash', 'https://app.example.com#x'],
    ['an underscore', 'https://my_app.example.com'],
    ['a plus', 'https://app+x.example.com'],
    ['a percent escape', 'https://app%2e.example.com'],
    ['user info', 'https://user@app.example.com'],
    ['another scheme', 'ftp://app.example.com'],
    ['a query', 'https://app.example.com?x=1'],
    ['a bad port', 'https://app.example.com:port'],
    ['a non-ASCII host', 'https://äpp.example.com'],
  ])('refuse an origin with %s', (_label, origin) => {
    expect(corsProblems([origin])).toEqual([
      expect.stringMatching(/^cors origin ".*" (is not an origin|must be exactly an origin)/),
    ]);
  });
});

describe('the preflight template', () => {
  it('writes each origin as a string literal', () => {
    expect(preflightTemplate({ configured: ['https://app.example.com', 'http://[::1]:5173'] })).toContain(
      '#if($origin == "https://app.example.com" || $origin == "http://[::1]:5173")',
    );
  });

  it.each([
    'https://a.example.com"||true||"',
    'https://a.example.com$x',
    "https://a'b.example.com",
    'https://a#b',
  ])('refuses to write %s into the template, whatever the settings let through', (origin) => {
    expect(() => preflightTemplate({ configured: [origin] })).toThrow(
      /characters a preflight template may not contain/,
    );
  });

  it("writes the console's origin last: a token of the app's as is, a plain one checked like any", () => {
    const token = Token.asString({ 'Fn::GetAtt': ['Distribution', 'DomainName'] });
    expect(
      preflightTemplate({ configured: ['https://app.example.com'], console: `https://${token}` }),
    ).toContain(`#if($origin == "https://app.example.com" || $origin == "https://${token}")`);
    expect(() => preflightTemplate({ configured: [], console: 'https://a.example.com"||true||"' })).toThrow(
      /characters a preflight template may not contain/,
    );
  });
});
