/**
 * Reads the small, flat XML request bodies that restXml clients (the S3 SDK) send — `<Delete>`,
 * `<Retention>`, `<VersioningConfiguration>` — without an XML library: elements are found by
 * name, their text unescaped. Enough for bodies the SDK serializes; not a general XML parser.
 */

/** The inner XML of every `<name>…</name>` element (attributes allowed, `<name/>` is empty). */
export function xmlElements(xml: string, name: string): string[] {
  const pattern = new RegExp(`<${name}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${name}>)`, 'g');
  return [...xml.matchAll(pattern)].map((match) => match[1] ?? '');
}

/** The unescaped text of the first `<name>` element; undefined when there is none. */
export function xmlText(xml: string, name: string): string | undefined {
  const [inner] = xmlElements(xml, name);
  return inner === undefined ? undefined : xmlUnescape(inner);
}

/** Resolves XML character and entity references. */
export function xmlUnescape(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(Number.parseInt(code, 16)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
