import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterEach, describe, expect, it } from 'vitest';
import { errorHandling } from '../../../app/http/error-handler.js';
import { readYourWrites, STALE_HEADER, type Freshness } from '../../../read-api/freshness.js';
import { readQuery } from '../../../read-api/schemas.js';

// The hook behind `config.reads`, on a bare Fastify with a Freshness that records what it is asked.
const POSITION = '0000000000000042:0000000000000007';
const serverWith = async (behind: string[]) => {
  const asked: { projections: readonly string[]; position: string }[] = [];
  const freshness: Freshness = {
    behind: async (projections, position) => {
      asked.push({ projections, position });
      return behind;
    },
  };
  const app = Fastify().withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(errorHandling);
  await app.register(readYourWrites, { freshness });
  app.get('/reads', { config: { reads: ['feed', 'profiles'] }, schema: { querystring: readQuery } }, async () => ({ ok: true }));
  app.get('/reads-nothing', { schema: { querystring: readQuery } }, async () => ({ ok: true }));
  return { app, asked };
};

let close: () => Promise<unknown> = async () => undefined;
afterEach(() => close());

describe('read-your-writes (config.reads)', () => {
  it('waits for the projections the route reads, and names those still behind in the stale header', async () => {
    const { app, asked } = await serverWith(['feed']);
    close = () => app.close();
    const response = await app.inject({ method: 'GET', url: `/reads?minPosition=${POSITION}` });
    expect(response.statusCode).toBe(200);
    expect(asked).toEqual([{ projections: ['feed', 'profiles'], position: POSITION }]);
    expect(response.headers[STALE_HEADER]).toBe('feed');
  });

  it('sets no header when the projections have caught up', async () => {
    const { app, asked } = await serverWith([]);
    close = () => app.close();
    const response = await app.inject({ method: 'GET', url: `/reads?minPosition=${POSITION}` });
    expect(asked).toHaveLength(1);
    expect(response.headers[STALE_HEADER]).toBeUndefined();
  });

  it('waits for nothing without ?minPosition=, or on a route that reads no projection', async () => {
    const { app, asked } = await serverWith(['feed']);
    close = () => app.close();
    const responses = [await app.inject({ method: 'GET', url: '/reads' }), await app.inject({ method: 'GET', url: `/reads-nothing?minPosition=${POSITION}` })];
    expect(asked).toEqual([]);
    for (const response of responses) {
      expect(response.statusCode).toBe(200);
      expect(response.headers[STALE_HEADER]).toBeUndefined();
    }
  });

  it.each(['~', '42', 'zzzzzzzzzzzzzzzz:0000000000000001', `${POSITION}:`, '0000000000000042:000000000000007', ' '])(
    'refuses ?minPosition=%j, not a position, with 400 naming the field, before asking anything',
    async (bad) => {
      const { app, asked } = await serverWith([]);
      close = () => app.close();
      const response = await app.inject({ method: 'GET', url: `/reads?minPosition=${encodeURIComponent(bad)}` });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.details).toEqual([expect.objectContaining({ path: 'minPosition', location: 'querystring' })]);
      expect(asked).toEqual([]);
    },
  );
});
