import type { Redis } from 'ioredis';

/**
 * CPU time (user + system, microseconds) a Redis server has used so far, from INFO cpu: the
 * difference over a run, per request, is what a request costs Redis (with whatever else the same
 * server did meanwhile: on a shared machine, other clients of that Redis count too).
 */
export const redisCpuMicros = async (redis: Redis): Promise<number> => {
  const info = await redis.info('cpu');
  const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return Math.round((seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6);
};
