import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { CreateBucketCommand, HeadBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { javaBinary } from './java.js';
import { livePid, portAnswers, stopPid, waitFor } from './probe.js';

// S3Proxy (https://github.com/gaul/s3proxy) from Maven Central: a real S3 API over files, with
// authentication on (aws-v2-or-v4), so that presigned URLs are really checked. One self-contained
// jar, fetched once into <services>/s3proxy/, run detached with Java 17 on loopback (pid file
// beside it), its objects under <services>/s3proxy/data. Reused when it already answers.
export const S3PROXY_VERSION = '2.6.0';
const JAR_URL = `https://repo1.maven.org/maven2/org/gaul/s3proxy/${S3PROXY_VERSION}/s3proxy-${S3PROXY_VERSION}-jar-with-dependencies.jar`;
const MARKER = 's3proxy';

/** The loopback server's identity and credential: only ever a local test and development store. */
export const S3PROXY_CREDENTIALS = { accessKeyId: 'instagram-es', secretAccessKey: 'instagram-es-local-secret' } as const;
export const S3PROXY_BUCKET = 'instagram-es-media';
export const S3PROXY_REGION = 'us-east-1';

export interface S3ProxyService {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** True when services:up started it (now or earlier): services:down stops it. */
  ours: boolean;
}

const homeOf = (servicesDir: string) => join(servicesDir, 's3proxy');
const pidFile = (servicesDir: string) => join(homeOf(servicesDir), 's3proxy.pid');

/** Fetches the jar once (to a partial file, then renamed); returns its path. */
export const ensureS3ProxyJar = async (servicesDir: string): Promise<string> => {
  const jar = join(homeOf(servicesDir), `s3proxy-${S3PROXY_VERSION}-jar-with-dependencies.jar`);
  if (existsSync(jar)) return jar;
  await mkdir(homeOf(servicesDir), { recursive: true });
  console.error(`[s3] fetching S3Proxy ${S3PROXY_VERSION} from Maven Central`);
  const response = await fetch(JAR_URL);
  if (!response.ok || !response.body) throw new Error(`[s3] ${JAR_URL} answered ${response.status}`);
  const partial = `${jar}.partial`;
  await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(partial));
  const expected = Number(response.headers.get('content-length'));
  if (expected && (await stat(partial)).size !== expected) throw new Error(`[s3] ${JAR_URL}: the download was cut short`);
  await rename(partial, jar);
  return jar;
};

interface S3Endpoint {
  endpoint?: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: boolean;
}

const proxyAt = (endpoint: string): S3Endpoint => ({ endpoint, region: S3PROXY_REGION, credentials: S3PROXY_CREDENTIALS, forcePathStyle: true });

const clientFor = ({ endpoint, region, credentials, forcePathStyle }: S3Endpoint) =>
  new S3Client({
    endpoint,
    region,
    credentials,
    forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });

/** Whether an S3 server accepting our credentials answers at `endpoint`. */
export const s3Answers = async (endpoint: string): Promise<boolean> => {
  const client = clientFor(proxyAt(endpoint));
  try {
    await client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
};

/** Creates `bucket` on the store unless it exists (S3Proxy's by default). */
export const ensureBucket = async (bucket: string, store: S3Endpoint | string): Promise<void> => {
  const client = clientFor(typeof store === 'string' ? proxyAt(store) : store);
  try {
    const exists = await client.send(new HeadBucketCommand({ Bucket: bucket })).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await client.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: unknown) => {
        // Two starters racing: the other one made it.
        if ((error as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw error;
      });
    }
  } finally {
    client.destroy();
  }
};

const properties = (home: string, port: number) => `# Written by scripts/services/s3proxy.ts at every start.
s3proxy.endpoint=http://127.0.0.1:${port}
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=${S3PROXY_CREDENTIALS.accessKeyId}
s3proxy.credential=${S3PROXY_CREDENTIALS.secretAccessKey}
# Browsers PUT to presigned URLs from another origin.
s3proxy.cors-allow-all=true
jclouds.provider=filesystem
jclouds.filesystem.basedir=${join(home, 'data')}
`;

const service = (port: number, ours: boolean): S3ProxyService => ({
  endpoint: `http://127.0.0.1:${port}`,
  bucket: S3PROXY_BUCKET,
  region: S3PROXY_REGION,
  ...S3PROXY_CREDENTIALS,
  ours,
});

/** Ours when it runs, else one that answers on the port (left alone), else a new one; the bucket is made. */
export const ensureS3Proxy = async (servicesDir: string, port: number): Promise<S3ProxyService> => {
  const endpoint = `http://127.0.0.1:${port}`;
  const home = homeOf(servicesDir);
  let ours = (await livePid(pidFile(servicesDir), MARKER)) !== null;
  if (!ours && !(await s3Answers(endpoint))) {
    if (await portAnswers(port)) throw new Error(`[s3] 127.0.0.1:${port} is taken by something that is not an S3 server accepting our credentials`);
    const jar = await ensureS3ProxyJar(servicesDir);
    await mkdir(join(home, 'data'), { recursive: true });
    const config = join(home, 's3proxy.conf');
    await writeFile(config, properties(home, port));
    const logFile = join(home, 's3proxy.log');
    const logStart = (await stat(logFile).catch(() => null))?.size ?? 0;
    const output = await open(logFile, 'a');
    console.error(`[s3] starting S3Proxy ${S3PROXY_VERSION} on ${endpoint}`);
    const child = spawn(javaBinary(), ['-Xmx256m', '-DLOG_LEVEL=warn', '-Djava.awt.headless=true', '-jar', jar, '--properties', config], {
      detached: true,
      stdio: ['ignore', output.fd, output.fd],
    });
    child.unref();
    await output.close();
    let exited = false;
    child.once('exit', () => (exited = true));
    await waitFor(`[s3] S3Proxy on ${endpoint} to answer (see ${logFile})`, 60_000, async () => {
      if (await s3Answers(endpoint)) return true;
      if (exited) throw new Error(`[s3] S3Proxy exited at start: ${(await readFile(logFile, 'utf8').catch(() => '')).slice(logStart).slice(-2000)}`);
      return false;
    });
    // Two starters racing (two test files): the one whose server got the port writes the pid file.
    if (!exited) await writeFile(pidFile(servicesDir), `${child.pid}\n`);
    ours = true;
  } else if (ours) {
    await waitFor(`[s3] S3Proxy on ${endpoint} to answer`, 30_000, () => s3Answers(endpoint));
  }
  await ensureBucket(S3PROXY_BUCKET, endpoint);
  return service(port, ours);
};

/** Stops the S3Proxy services:up started, if it runs; returns whether it did. */
export const stopS3Proxy = async (servicesDir: string): Promise<boolean> => {
  const pid = await livePid(pidFile(servicesDir), MARKER);
  if (pid) await stopPid(pid);
  await rm(pidFile(servicesDir), { force: true });
  return pid !== null;
};
