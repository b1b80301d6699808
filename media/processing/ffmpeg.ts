import { execFile } from 'node:child_process';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import ffprobeInstaller from '@ffprobe-installer/ffprobe';

// The ffmpeg and ffprobe binaries of @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe (npm
// packages carrying static builds), run as child processes with a time limit (killed with SIGKILL
// past it) and bounded output, never through a shell.

export const FFMPEG_PATH: string = ffmpegInstaller.path;
export const FFPROBE_PATH: string = ffprobeInstaller.path;

export interface RunOptions {
  timeoutMs: number;
  /** stdout and stderr are each cut off (and the process killed) past this many bytes. */
  maxOutputBytes?: number;
}

export type RunOutcome =
  | { ok: true; stdout: string; stderr: string }
  | { ok: false; timedOut: boolean; exitCode: number | null; stdout: string; stderr: string; error: Error };

/**
 * Runs a binary to completion. Resolves with the outcome when it ran (whatever its exit code);
 * rejects only when it could not be started at all (a missing binary is a fault of the machine).
 */
export const runBinary = (binary: string, args: readonly string[], { timeoutMs, maxOutputBytes = 1024 * 1024 }: RunOptions): Promise<RunOutcome> =>
  new Promise((resolve, reject) => {
    execFile(binary, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: maxOutputBytes, encoding: 'utf8', windowsHide: true }, (error, stdout, stderr) => {
      if (error === null) {
        resolve({ ok: true, stdout, stderr });
        return;
      }
      const failure = error as Error & { code?: unknown; killed?: boolean; signal?: string | null };
      if (typeof failure.code === 'string' && failure.code !== 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
        reject(error);
        return;
      }
      resolve({
        ok: false,
        timedOut: failure.killed === true && failure.signal === 'SIGKILL' && failure.code !== 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER',
        exitCode: typeof failure.code === 'number' ? failure.code : null,
        stdout,
        stderr,
        error,
      });
    });
  });

/** The last meaningful line ffmpeg wrote to stderr (its error), short. */
export const lastLine = (stderr: string): string =>
  stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .at(-1)
    ?.slice(0, 200) ?? 'no output';
