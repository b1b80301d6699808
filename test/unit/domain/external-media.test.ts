import { describe, expect, it } from 'vitest';
import { assertExternalMediaAllowed, externalMediaRefusal } from '../../../domain/post/external-media.js';
import { domainErrorOf } from '../../support/decider-spec.js';

const hosts = ['cdn.example.com', '10.0.0.7'];

describe('external media URLs (docs/rules.md "External media")', () => {
  it('takes an https URL on a listed host, whatever its case', () => {
    expect(externalMediaRefusal('https://cdn.example.com/a.jpg', hosts)).toBeNull();
    expect(externalMediaRefusal('https://CDN.Example.com./a.jpg', hosts)).toBeNull();
  });
  it('refuses every host when none is listed (the default)', () => expect(externalMediaRefusal('https://cdn.example.com/a.jpg', [])).toMatch(/uploaded/));
  it.each([
    ['another host', 'https://evil.example.net/a.jpg'],
    ['a subdomain of a listed host', 'https://x.cdn.example.com/a.jpg'],
    ['plain http', 'http://cdn.example.com/a.jpg'],
    ['a user and password', 'https://user:pass@cdn.example.com/a.jpg'],
    ['a port', 'https://cdn.example.com:8443/a.jpg'],
    ['an IP literal not listed', 'https://127.0.0.1/a.jpg'],
    ['an IPv6 literal', 'https://[::1]/a.jpg'],
    ['no URL at all', 'cdn.example.com/a.jpg'],
  ])('refuses %s', (_, url) => expect(externalMediaRefusal(url, hosts)).not.toBeNull());
  it('takes an IP literal only when listed as written', () => expect(externalMediaRefusal('https://10.0.0.7/a.jpg', hosts)).toBeNull());

  it('names every refused field, and leaves uploads alone', () => {
    const items = [{ mediaId: '0190c000-0000-7000-8000-000000000001' }, { url: 'https://evil.example.net/a.jpg', type: 'image' as const }, { url: 'https://cdn.example.com/b.jpg', type: 'image' as const }];
    const error = domainErrorOf(() => assertExternalMediaAllowed(items, hosts, (i) => `media.${i}`));
    expect(error).toMatchObject({ code: 'MEDIA_HOST_NOT_ALLOWED', status: 400, details: [{ path: 'media.1.url' }] });
  });
});
