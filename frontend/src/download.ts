// Saving a generated file: an object URL on a temporary <a download>, the way browsers (and
// Playwright's expect_download) recognise a download. No data: URLs, so a strict CSP holds.

export function download(name: string, content: Blob | string, type = "application/json"): void {
  const blob = typeof content === "string" ? new Blob([content], { type }) : content;
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "2026-11-02T14-00-05": a timestamp that is safe in a file name. */
export function fileStamp(date: Date = new Date()): string {
  return date.toISOString().slice(0, 19).replaceAll(":", "-");
}
