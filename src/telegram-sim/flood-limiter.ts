/** Telegram's flood control, simulated: sends beyond the configured rates answer 429. */

export interface FloodLimits {
  /** Messages per chat per second (Telegram: about 1). */
  perChatPerSecond?: number;
  /** Messages per group, supergroup or channel per minute (Telegram: about 20). */
  perGroupPerMinute?: number;
  /** Messages per second over all chats (Telegram: about 30). */
  globalPerSecond?: number;
}

/** Rejects sends beyond configured rates with a retry_after that is accurate to the window. */
export class FloodLimiter {
  private readonly perChat = new Map<number, number[]>();
  private readonly perGroup = new Map<number, number[]>();
  private readonly global: number[] = [];

  constructor(private readonly limits: FloodLimits) {}

  /** Seconds to wait when the send would exceed a limit; otherwise counts it. */
  check(chatId: number, isGroup: boolean, now: number): number | undefined {
    const windows: [number[], number, number][] = [];
    const series = (map: Map<number, number[]>): number[] => {
      let list = map.get(chatId);
      if (list === undefined) map.set(chatId, (list = []));
      return list;
    };
    if (this.limits.perChatPerSecond !== undefined) windows.push([series(this.perChat), this.limits.perChatPerSecond, 1000]);
    if (isGroup && this.limits.perGroupPerMinute !== undefined) {
      windows.push([series(this.perGroup), this.limits.perGroupPerMinute, 60_000]);
    }
    if (this.limits.globalPerSecond !== undefined) windows.push([this.global, this.limits.globalPerSecond, 1000]);
    let waitMs = 0;
    for (const [stamps, limit, windowMs] of windows) {
      while (stamps.length > 0 && (stamps[0] as number) <= now - windowMs) stamps.shift();
      if (stamps.length >= limit) {
        const oldest = stamps[stamps.length - limit] as number;
        waitMs = Math.max(waitMs, oldest + windowMs - now);
      }
    }
    if (waitMs > 0) return Math.max(1, Math.ceil(waitMs / 1000));
    for (const [stamps] of windows) stamps.push(now);
    return undefined;
  }
}

