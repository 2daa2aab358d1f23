/**
 * Files the console writes in the browser (no request): a Blob of text the view already has,
 * behind an object URL — saved at once (`saveFile`), or as the target of an `<a download>` link
 * (`useFileUrl`, revoked when the text changes or the link goes).
 */
import { useEffect, useMemo } from 'preact/hooks';

const objectUrlOf = (content: string, type: string) => URL.createObjectURL(new Blob([content], { type }));

/** Hands `content` to the browser as a download named `fileName`. */
export function saveFile(fileName: string, content: string, type: string): void {
  const url = objectUrlOf(content, type);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The download has taken the blob's content by the time the next task runs.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** An object URL of `content`, for `<a href download>`; valid while the component shows it. */
export function useFileUrl(content: string, type: string): string {
  const url = useMemo(() => objectUrlOf(content, type), [content, type]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return url;
}
