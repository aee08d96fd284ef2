// Environment variables a test file sets for its run (the worker script, thresholds that force a path): what
// they were, put back when it ends, so later files in the same process see the environment they started with.

/** Remembers `names`' values now; the returned function restores them (deleting those that were not set). */
export function savedEnv(...names: string[]): () => void {
  const saved = names.map((name) => [name, process.env[name]] as const);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
