import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterEach, describe, expect, it } from 'vitest';
import { readYourWrites, STALE_HEADER, type Freshness } from '../../../read-api/freshness.js';
import { readQuery } from '../../../read-api/schemas.js';

// The hook behind `config.reads`, on a bare Fastify with a Freshness that records what it is asked.
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
    const response = await app.inject({ method: 'GET', url: '/reads?minPosition=42' });
    expect(response.statusCode).toBe(200);
    expect(asked).toEqual([{ projections: ['feed', 'profiles'], position: '42' }]);
    expect(response.headers[STALE_HEADER]).toBe('feed');
  });

  it('sets no header when the projections have caught up', async () => {
    const { app, asked } = await serverWith([]);
    close = () => app.close();
    const response = await app.inject({ method: 'GET', url: '/reads?minPosition=42' });
    expect(asked).toHaveLength(1);
    expect(response.headers[STALE_HEADER]).toBeUndefined();
  });

  it('waits for nothing without ?minPosition=, or on a route that reads no projection', async () => {
    const { app, asked } = await serverWith(['feed']);
    close = () => app.close();
    const responses = [await app.inject({ method: 'GET', url: '/reads' }), await app.inject({ method: 'GET', url: '/reads-nothing?minPosition=42' })];
    expect(asked).toEqual([]);
    for (const response of responses) {
      expect(response.statusCode).toBe(200);
      expect(response.headers[STALE_HEADER]).toBeUndefined();
    }
  });
});
