// Recent queries, remembered per workspace and offered first.
import * as vscode from 'vscode';

const KEY = 'flowlog.recentQueries';
const MAX = 20;

export class RecentQueries {
  constructor(private readonly state: vscode.Memento) {}

  list(): string[] {
    return this.state.get<string[]>(KEY, []);
  }

  async add(query: string): Promise<void> {
    const q = query.trim();
    if (!q) return;
    await this.state.update(KEY, [q, ...this.list().filter((x) => x !== q)].slice(0, MAX));
  }
}
