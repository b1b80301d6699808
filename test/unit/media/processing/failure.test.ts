import { describe, expect, it } from 'vitest';
import { isRetryableFault } from '../../../../media/processing/failure.js';

// Which errors processing throws (worth a retry) rather than answers as a rejection (failure.ts).

describe('isRetryableFault', () => {
  it('takes faults of the machine for retryable: a full disk, no file handles, no memory', () => {
    for (const code of ['ENOSPC', 'EMFILE', 'ENFILE', 'ENOMEM', 'EIO']) expect(isRetryableFault(Object.assign(new Error(code), { code })), code).toBe(true);
    expect(isRetryableFault(new Error('av_interleaved_write_frame(): No space left on device'))).toBe(true);
    expect(isRetryableFault(new Error('vips: out of memory'))).toBe(true);
  });

  it('does not take a decoder error for retryable', () => {
    expect(isRetryableFault(new Error('VipsJpeg: premature end of JPEG image'))).toBe(false);
    expect(isRetryableFault(new Error('Input file has corrupt header'))).toBe(false);
    expect(isRetryableFault(null)).toBe(false);
  });
});
