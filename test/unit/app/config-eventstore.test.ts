import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../app/config.js';
import { configProblems as problemsOf } from '../../support/settings.js';

describe('EVENTSTORE_URL', () => {
  it('is unset by default: the event store is PostgreSQL', () => {
    expect(loadSettings({}, []).eventStoreUrl).toBeUndefined();
  });

  it('takes an EventStoreDB connection string, single node or cluster discovery', () => {
    for (const url of ['esdb://localhost:2113?tls=false', 'esdb+discover://admin:changeit@cluster.dns:2113', 'esdb://node1:2113,node2:2113,node3:2113?tls=true']) {
      expect(loadSettings({ EVENTSTORE_URL: url }, []).eventStoreUrl).toBe(url);
    }
  });

  it('refuses anything else, naming the variable', () => {
    for (const url of ['http://localhost:2113', 'localhost:2113', 'esdb://', 'tcp://localhost:1113']) {
      expect(problemsOf({ EVENTSTORE_URL: url })).toEqual([expect.stringContaining('EVENTSTORE_URL: must be an esdb:// or esdb+discover:// connection string')]);
    }
  });
});
