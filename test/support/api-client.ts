import type { FastifyInstance } from 'fastify';

// A thin client over app.inject, so that tests read like the calls an app makes.
export interface Response {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the API under test
  headers: Record<string, unknown>;
}

export interface User {
  userId: string;
  username: string;
  /** The access token of the registration's session (the API calls it `accessToken`). */
  token: string;
  refreshToken: string;
  sessionId: string;
}

export const apiClient = (app: FastifyInstance) => {
  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Response> => {
    const response = await app.inject({
      method,
      url,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { payload: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
    });
    const text = response.body;
    return { status: response.statusCode, body: text ? JSON.parse(text) : null, headers: response.headers };
  };

  let counter = 0;
  const register = async (username = `user${Date.now().toString(36)}${counter++}`, extra: Record<string, unknown> = {}): Promise<User> => {
    const response = await call('POST', '/api/v1/users/register', {
      body: { username, email: `${username}@example.com`, password: 'correct horse battery', ...extra },
    });
    if (response.status !== 201) throw new Error(`register ${username}: ${response.status} ${JSON.stringify(response.body)}`);
    const { userId, username: name, accessToken, refreshToken, sessionId } = response.body;
    return { userId, username: name, token: accessToken, refreshToken, sessionId };
  };

  const createPost = async (author: User, caption = 'hello #world') => {
    const response = await call('POST', '/api/v1/posts', {
      token: author.token,
      body: { caption, media: [{ url: 'https://cdn.example.com/p.jpg', type: 'image' }] },
    });
    if (response.status !== 201) throw new Error(`create post: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.postId as string;
  };

  return { call, register, createPost };
};
