/** Runs `deliver` with `to`'s writes held, then writes them together. */
export function batched(to: { cork?(): void; uncork?(): void } | undefined, deliver: () => void): void {
  to?.cork?.();
  try {
    deliver();
  } finally {
    to?.uncork?.();
  }
}
