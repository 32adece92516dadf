/**
 * Response heads written by hand (there is no node:http here). Every response is JSON with an
 * explicit Content-Length, so keep-alive framing never depends on closing the socket.
 */
const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  414: 'URI Too Long',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  503: 'Service Unavailable',
};

export function okBody(id: string): string {
  // ULIDs are Crockford base32: nothing to escape.
  return `{"status":"ok","id":"${id}"}`;
}

export function errorBody(reason: string): string {
  return JSON.stringify({ status: 'error', reason });
}

export function formatResponse(
  status: number,
  body: string,
  keepAlive: boolean,
  omitBody: boolean,
  extraHeaders?: Readonly<Record<string, string>>,
): string {
  let head =
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Unknown'}\r\n` +
    'Content-Type: application/json\r\n' +
    'Cache-Control: no-store\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    (keepAlive ? 'Connection: keep-alive\r\n' : 'Connection: close\r\n');
  if (extraHeaders !== undefined) {
    for (const name in extraHeaders) head += `${name}: ${extraHeaders[name]}\r\n`;
  }
  // HEAD gets the headers GET would get, Content-Length included, and no body.
  return omitBody ? `${head}\r\n` : `${head}\r\n${body}`;
}
