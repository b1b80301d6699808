import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

// The JDK and Maven the Java services (Kafka, Elasticsearch) are run and fetched with.
export const run = promisify(execFile);

export const javaBinary = () => (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java');

/** `mvn -q <args>` in `cwd`; fails with Maven's output. */
export const maven = async (cwd: string, args: readonly string[]) => {
  try {
    await run('mvn', ['-B', '-q', '-Dstyle.color=never', ...args], { cwd, timeout: 600_000, maxBuffer: 32 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`mvn ${args.join(' ')} failed (a JDK and Maven with access to Maven Central are needed):\n${stdout}${stderr}`);
  }
};
