import { isIPv4, isIPv6 } from 'node:net';

// The keys a caller is known by, shared by the rate limits (app/http/rate-limit.ts) and the
// failed-login memory of password hashing (commands/accounts/hashing-admission.ts), so that both
// count one address and one named account the same way.

/**
 * The address a caller is counted under: an IPv4 address, or the /64 of an IPv6 one (one host
 * usually holds a whole /64, so single addresses would be free to change).
 */
export const addressGroup = (ip: string): string => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIPv4(ip) || !isIPv6(ip)) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('::') as [string, string?];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4 aside) counts as two groups; it lies past the /64 anyway.
  const groups = ip.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
};

/**
 * The account a login names, as typed (username or email), trimmed and case-folded, so that
 * `Alice ` and `alice` are one account; cut to 320 characters, since it is read before the body is
 * validated. Whether the account exists plays no part: an unknown name is counted the same way.
 */
export const loginKey = (name: string): string => name.trim().toLowerCase().slice(0, 320);
