// Posting to a panel's webview. Messages wait until the view has said `ready` (earlier ones would be lost) and
// while the panel is hidden: a message posted to a hidden panel that is being revealed was seen to get lost in
// VS Code 1.100. Structural types instead of vscode's, so that unit tests can drive it.
interface PanelLike {
  readonly visible: boolean;
  readonly webview: { postMessage(message: unknown): Thenable<boolean> };
  onDidChangeViewState(listener: () => void): { dispose(): void };
}

export class ViewPort<T> {
  private ready = false;
  private readonly queue: T[] = [];
  private readonly subscription: { dispose(): void };
  private readonly settle: () => void;
  /** Resolves when the page first says `ready` (it has its script and style), or when the port is disposed. */
  readonly loaded: Promise<void>;

  constructor(private readonly panel: PanelLike) {
    let settle = () => {};
    this.loaded = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.settle = settle;
    this.subscription = panel.onDidChangeViewState(() => this.flush());
  }

  post(msg: T): void {
    this.queue.push(msg);
    this.flush();
  }

  /** The view (re)loaded: send what waited. */
  markReady(): void {
    this.ready = true;
    this.settle();
    this.flush();
  }

  private flush(): void {
    if (!this.ready || !this.panel.visible) return;
    for (const m of this.queue.splice(0)) void this.panel.webview.postMessage(m);
  }

  dispose(): void {
    this.subscription.dispose();
    this.settle();
  }
}
