// addressGroup (an IPv4 address or an IPv6 /64) lives in kernel/caller-keys.ts, shared with the
// failed-login memory of password hashing.
export { addressGroup } from '../../kernel/caller-keys.js';

export const isLoopback = (ip: string): boolean => ip === '::1' || /^(::ffff:)?127\./i.test(ip);
