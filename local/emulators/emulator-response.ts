/** The answer an in-process emulator gives the front door, plus the wire shapes they share. */
export interface EmulatorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
}

/** A JSON body with the given content type. */
export function jsonResponse(
  status: number,
  body: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): EmulatorResponse {
  return { status, headers: { 'content-type': contentType, ...headers }, body: JSON.stringify(body) };
}

/** A restJson1 / awsJson error: the SDK reads the error name from `x-amzn-errortype`. */
export function namedJsonError(
  status: number,
  name: string,
  message: string,
  contentType = 'application/json',
): EmulatorResponse {
  return jsonResponse(status, { __type: name, message }, contentType, { 'x-amzn-errortype': name });
}

/** An XML body. */
export function xmlResponse(status: number, body: string): EmulatorResponse {
  return { status, headers: { 'content-type': 'text/xml' }, body };
}

/** Escapes text for an XML element body. */
export function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
