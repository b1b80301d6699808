// The accounts this tab's person blocked. The API has no list of one's blocks and answers a
// blocked profile as a missing one (404), so the profile screen remembers its own blocks
// (sessionStorage: a reload keeps them) to show "You blocked @x" with Unblock rather than "not found".

const KEY = 'instagram-es.blocked';

const read = (): Set<string> => {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(KEY) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
};

const write = (names: Set<string>) => {
  try {
    sessionStorage.setItem(KEY, JSON.stringify([...names]));
  } catch {
    // Storage full or refused: the block is still the server's; only the reminder is lost.
  }
};

export const isBlockedHere = (username: string) => read().has(username);

export const rememberBlock = (username: string, blocked: boolean) => {
  const names = read();
  if (blocked) names.add(username);
  else names.delete(username);
  write(names);
};
