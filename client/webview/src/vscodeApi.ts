// The webview's handle on VS Code, typed: what a view may post and the state it keeps.
interface VsCodeApi<State, Out> {
  postMessage(message: Out): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<State, Out>(): VsCodeApi<State, Out>;

let api: unknown;

/** acquireVsCodeApi may be called once per page. */
export function vscodeApi<State, Out>(): VsCodeApi<State, Out> {
  api ??= acquireVsCodeApi<State, Out>();
  return api as VsCodeApi<State, Out>;
}
