import { settlesWithin } from '../shared/settlesWithin';

/**
 * The drain window of a stop (docs/architecture.md, Failures and outages): from the moment a stop
 * begins, /healthz answers 503 `draining`, so a load balancer takes this server out while it
 * still serves whatever reaches it; the listeners close when the window ends, `drainMs` later
 * (RINGSIDE_DRAIN_MS: 0 on a desktop, which stops at once), or earlier when it is cut short.
 */
export class DrainWindow {
  private began = false;
  private cut: () => void = () => undefined;
  private readonly cutShort = new Promise<void>((resolve) => {
    this.cut = resolve;
  });

  constructor(private readonly drainMs: number) {}

  /** True from the moment the stop began. */
  get draining(): boolean {
    return this.began;
  }

  /** Begins the window (draining at once) and resolves when it ends. */
  async run(): Promise<void> {
    this.began = true;
    if (this.drainMs > 0) await settlesWithin(this.cutShort, this.drainMs);
  }

  /** Ends the window now, or makes the coming one end at once. */
  end(): void {
    this.cut();
  }
}
