/** A message a page leaves for the next one ("Your update is published"), read once. */
let waiting: string | null = null;

export function leave(message: string): void {
  waiting = message;
}

export function take(): string | null {
  const message = waiting;
  waiting = null;
  return message;
}
