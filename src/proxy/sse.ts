// Reads a server-sent events stream (the HTML living standard's format) from a fetch body: fields
// `event`, `data` (multi-line joined with \n), `id` and `retry`; comments are skipped.

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** What a stream says besides its events, for a reader that may resume it. */
export interface SseCursor {
  /** The last event id seen, events without data (a resumable server's priming event) included. */
  lastEventId?: string;
  /** The reconnection delay the server asked for, in milliseconds. */
  retryMs?: number;
}

export async function readSse(body: ReadableStream<Uint8Array>, onEvent: (event: SseEvent) => void, maxEventBytes: number, cursor: SseCursor = {}): Promise<void> {
  const decoder = new TextDecoder();
  let buffered = '';
  let event = '';
  let data: string[] = [];
  let dataBytes = 0;
  let id: string | undefined;
  const reader = body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let start = 0;
    for (;;) {
      const end = lineEnd(buffered, start);
      if (end === -1) break;
      const line = buffered.slice(start, end);
      start = end + (buffered[end] === '\r' && buffered[end + 1] === '\n' ? 2 : 1);
      if (line === '') {
        if (data.length > 0) onEvent({ event: event || 'message', data: data.join('\n'), ...(id !== undefined ? { id } : {}) });
        event = '';
        data = [];
        dataBytes = 0;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') {
        dataBytes += value.length;
        if (dataBytes > maxEventBytes) throw new Error(`an event over ${maxEventBytes} bytes`);
        data.push(value);
      } else if (field === 'id') {
        if (!value.includes('\0')) id = cursor.lastEventId = value;
      } else if (field === 'retry' && /^\d+$/.test(value)) {
        cursor.retryMs = Number(value);
      }
    }
    buffered = buffered.slice(start);
    if (buffered.length > maxEventBytes) throw new Error(`an event line over ${maxEventBytes} bytes`);
  }
}

/** Index of the next CR or LF at or after `from`; a CR at the very end waits for a possible LF. */
function lineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) return i;
    if (ch === 13) return i + 1 < text.length ? i : -1;
  }
  return -1;
}
