/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on this machine. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
