import { Redis, type Command } from 'ioredis';
import { TEST_REDIS_URL } from './test-redis.js';

// A Redis client that logs what it sends, for tests of how many commands and round trips a read
// or a write costs. Commands are counted through the client's sendCommand, round trips ("stages")
// as runs of commands sent with no reply received in between.

export interface Sent {
  name: string;
  stage: number;
}

/** A client that logs each command it sends with its stage: a new stage starts once a reply came back. */
export const countingClient = async () => {
  const client = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  await client.ping();
  const log: Sent[] = [];
  let stage = 0;
  let replied = true;
  const send = client.sendCommand.bind(client);
  client.sendCommand = (command: Command, ...rest: [never?]) => {
    if (replied) [stage, replied] = [stage + 1, false];
    log.push({ name: command.name, stage: stage });
    const settled = () => {
      replied = true;
    };
    command.promise.then(settled, settled);
    return send(command, ...rest);
  };
  return {
    client,
    /** The commands sent while `run` ran, stages counted from 1. */
    during: async (run: () => Promise<unknown>): Promise<Sent[]> => {
      const from = log.length;
      replied = true;
      stage = 0;
      await run();
      return log.slice(from);
    },
  };
};
