// Reads an extension's activation time as VS Code itself reports it: the workbench's Running Extensions
// editor lists each active extension with the time the extension host measured (loading its code,
// calling activate() and awaiting it). The on-demand test "language activation time" opens that editor
// and waits; this watches the page for the extension's row meanwhile. Used by bench/activation.mjs
// through RUNNING_EXTENSIONS=1.

/** Resolves with the row's activation text, e.g. "Activation: 26ms" (undefined if it never shows). */
export function watchActivationTime(page, extensionName, isDone) {
  const cell = page.locator(`.runtime-extensions-editor .monaco-list-row[aria-label="${extensionName}"] .activation-time`).first();
  return (async () => {
    while (!isDone()) {
      const text = await cell.innerText({ timeout: 250 }).catch(() => '');
      if (/\d\s*ms/.test(text)) return text.trim();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return undefined;
  })();
}
