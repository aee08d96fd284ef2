// The glob of Query Folder, checked as it is typed (no vscode: unit tested).

/** Why `glob` cannot select files under a folder, or undefined when it can: relative, and inside the folder. */
export function globProblem(glob: string): string | undefined {
  const g = glob.trim();
  if (g.startsWith('/') || /^[A-Za-z]:[\\/]/.test(g)) return 'A glob relative to the folder, such as AWSLogs/**/*.log.gz';
  if (g.split(/[\\/]/).includes('..')) return 'The glob stays inside the folder (no ..)';
  return undefined;
}

