import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { originAllowed } from './request-limits';

describe('originAllowed', () => {
  const hosts = ['127.0.0.1:3000', undefined];
  test('reads and requests without an Origin (not from a browser page) pass', () => {
    assert.equal(originAllowed('GET', 'https://evil.example', hosts, []), true);
    assert.equal(originAllowed('POST', undefined, hosts, []), true);
  });
  test("the page's own origin and configured origins may change state", () => {
    assert.equal(originAllowed('POST', 'http://127.0.0.1:3000', hosts, []), true);
    assert.equal(originAllowed('DELETE', 'https://app.example', hosts, ['https://app.example']), true);
    assert.equal(originAllowed('POST', 'https://talecast.example', ['10.0.0.5:3000', 'talecast.example'], []), true, 'behind a proxy: X-Forwarded-Host');
  });
  test('another site, a sandboxed page ("null") and garbage are refused', () => {
    assert.equal(originAllowed('POST', 'https://evil.example', hosts, ['https://app.example']), false);
    assert.equal(originAllowed('DELETE', 'null', hosts, []), false);
    assert.equal(originAllowed('PUT', 'not a url', hosts, []), false);
    assert.equal(originAllowed('POST', 'http://127.0.0.1:3001', hosts, []), false, 'another port is another origin');
  });
});
