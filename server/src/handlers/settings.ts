// Settings flow from the client's `flowlog` section to the server (pulled, as vscode-eslint does).
import { Connection } from 'vscode-languageserver';
import { DEFAULT_SETTINGS, FlowLogSettings } from '../protocol';
import { MIN_MEMORY_BUDGET_MB } from '../core/query';

export class SettingsStore {
  private current: FlowLogSettings = DEFAULT_SETTINGS;
  private canPull = false;

  constructor(private readonly connection: Connection) {}

  enablePull(): void {
    this.canPull = true;
  }

  get(): FlowLogSettings {
    return this.current;
  }

  /** Re-reads the settings; resolves to whether they changed. */
  async refresh(): Promise<boolean> {
    if (!this.canPull) return false;
    const raw = (await this.connection.workspace.getConfiguration({ section: 'flowlog' })) as Partial<FlowLogSettings> | null;
    const next = normalize(raw ?? {});
    const changed = JSON.stringify(next) !== JSON.stringify(this.current);
    this.current = next;
    return changed;
  }
}

export function normalize(raw: Partial<FlowLogSettings>): FlowLogSettings {
  const d = DEFAULT_SETTINGS;
  const hints = (raw.inlayHints ?? {}) as Partial<FlowLogSettings['inlayHints']>;
  const bool = (v: unknown, fallback: boolean) => (typeof v === 'boolean' ? v : fallback);
  const diagnoseMode = ((raw.diagnose ?? {}) as Partial<FlowLogSettings['diagnose']>).diagnostics;
  return {
    timeZone: raw.timeZone === 'local' ? 'local' : 'utc',
    maxProblems: typeof raw.maxProblems === 'number' && raw.maxProblems >= 1 ? Math.floor(raw.maxProblems) : d.maxProblems,
    inlayHints: {
      protocol: bool(hints.protocol, d.inlayHints.protocol),
      ports: bool(hints.ports, d.inlayHints.ports),
      timestamps: bool(hints.timestamps, d.inlayHints.timestamps),
      tcpFlags: bool(hints.tcpFlags, d.inlayHints.tcpFlags),
      bytes: bool(hints.bytes, d.inlayHints.bytes),
    },
    diagnose: {
      diagnostics: diagnoseMode === 'warning' || diagnoseMode === 'information' || diagnoseMode === 'off' || diagnoseMode === 'byVerdict' ? diagnoseMode : d.diagnose.diagnostics,
    },
    query: { memoryBudgetMB: memoryBudgetMB(((raw.query ?? {}) as Partial<FlowLogSettings['query']>).memoryBudgetMB) },
  };
}

/** The setting's MB: a whole number from MIN_MEMORY_BUDGET_MB up, else the default. */
function memoryBudgetMB(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= MIN_MEMORY_BUDGET_MB ? Math.floor(v) : DEFAULT_SETTINGS.query.memoryBudgetMB;
}
