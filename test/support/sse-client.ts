// A client of GET /api/v1/stream as a browser's EventSource reads it: frames split on blank
// lines, `event:`/`data:`/`id:` fields, comments (heartbeats) and `retry:` kept apart.

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

export interface SseConnection {
  status: number;
  headers: Headers;
  /** The next event (comments and retry frames skipped); null once the server ended the stream. */
  nextEvent(): Promise<SseEvent | null>;
  /** Comments seen so far (": heartbeat" arrives as "heartbeat"). */
  comments: string[];
  /** The body as JSON, for a refused connection. */
  json(): Promise<unknown>;
  /** Hangs up, as a client closing its tab. */
  close(): void;
}

const parseFrame = (frame: string, comments: string[]): SseEvent | null => {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (line.startsWith(':')) comments.push(line.slice(1).trim());
    const [field, ...rest] = line.split(':');
    const value = rest.join(':').replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  return data.length > 0 ? { id, event, data: data.join('\n') } : null;
};

export const connectEventStream = async (url: string, token?: string): Promise<SseConnection> => {
  const controller = new AbortController();
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const comments: string[] = [];
  let buffer = '';
  const nextFrame = async (): Promise<string | null> => {
    while (!buffer.includes('\n\n')) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) return null;
      buffer += chunk.value;
    }
    const end = buffer.indexOf('\n\n');
    const frame = buffer.slice(0, end);
    buffer = buffer.slice(end + 2);
    return frame;
  };
  return {
    status: response.status,
    headers: response.headers,
    comments,
    async nextEvent() {
      for (let frame = await nextFrame(); frame !== null; frame = await nextFrame()) {
        const event = parseFrame(frame, comments);
        if (event) return event;
      }
      return null;
    },
    async json() {
      let text = buffer;
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += chunk.value;
      return JSON.parse(text);
    },
    close: () => controller.abort(),
  };
};
