import { errors } from '@elastic/elasticsearch';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { errorHandling } from '../../../app/http/error-handler.js';

// Rule: an error answer of Elasticsearch (the client's ResponseError, which carries its message:
// index and field names, parser details) never reaches a client: a 400 of its own is our
// INVALID_INPUT, anything else our BACKEND_UNAVAILABLE naming it.
const answerOf = (statusCode: number) =>
  new errors.ResponseError({
    body: { error: { type: 'parse_exception', reason: 'failed to parse field [created_at] in index [search_posts]' } },
    statusCode,
    headers: {},
    warnings: null,
    meta: {} as never,
  });

describe('Elasticsearch errors', () => {
  it.each([
    [400, 400, 'INVALID_INPUT'],
    [500, 503, 'BACKEND_UNAVAILABLE'],
    [429, 503, 'BACKEND_UNAVAILABLE'],
  ])('an answer %i is our %i %s, without its message', async (esStatus, status, code) => {
    const app = Fastify();
    await app.register(errorHandling);
    app.get('/boom', async () => {
      throw answerOf(esStatus);
    });
    const response = await app.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(status);
    expect(response.json().error.code).toBe(code);
    expect(response.body).not.toMatch(/search_posts|created_at|parse/);
    await app.close();
  });
});
