/** The `iptables.*` settings as the server reads them, and how they map onto lint options. */
import { LintOptions } from './engine/lint';
import { Severity } from './engine/types';
import { wordTable } from './engine/wordTable';

export interface ServerSettings {
  diagnostics: Record<string, string>;
  ipVersion: 'auto' | 'ipv4' | 'ipv6';
  sshPorts: number[];
  preferIpsetThreshold: number;
  analyzeShellScripts: boolean;
  /** Documents larger than this many megabytes get no policy analysis (the editor stays responsive). */
  maxAnalysisSizeMB: number;
  /** Each rule's number in its chain as an inlay hint. */
  ruleNumberHints: boolean;
  /** At most this many findings are published per document, the most severe first (see publishedDiagnostics). */
  maxNumberOfProblems: number;
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = {
  diagnostics: {},
  ipVersion: 'auto',
  sshPorts: [22],
  preferIpsetThreshold: 20,
  analyzeShellScripts: true,
  maxAnalysisSizeMB: 4,
  ruleNumberHints: true,
  maxNumberOfProblems: 1000,
};

const SEVERITY_NAMES = wordTable<Severity | 'off'>({
  error: 'error', warning: 'warning', information: 'info', info: 'info', hint: 'hint', off: 'off', none: 'off',
});

export function normalizeSettings(raw: unknown): ServerSettings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Partial<ServerSettings>;
  const ports = Array.isArray(r.sshPorts) ? r.sshPorts.filter((p) => Number.isInteger(p) && p >= 0 && p <= 65535) : DEFAULT_SERVER_SETTINGS.sshPorts;
  return {
    diagnostics: r.diagnostics && typeof r.diagnostics === 'object' ? r.diagnostics : {},
    ipVersion: r.ipVersion === 'ipv4' || r.ipVersion === 'ipv6' ? r.ipVersion : 'auto',
    sshPorts: ports.length ? ports : DEFAULT_SERVER_SETTINGS.sshPorts,
    preferIpsetThreshold: typeof r.preferIpsetThreshold === 'number' && r.preferIpsetThreshold >= 2 ? r.preferIpsetThreshold : DEFAULT_SERVER_SETTINGS.preferIpsetThreshold,
    analyzeShellScripts: r.analyzeShellScripts !== false,
    maxAnalysisSizeMB: typeof r.maxAnalysisSizeMB === 'number' && r.maxAnalysisSizeMB >= 0 ? r.maxAnalysisSizeMB : DEFAULT_SERVER_SETTINGS.maxAnalysisSizeMB,
    ruleNumberHints: (r as { inlayHints?: { ruleNumbers?: unknown } }).inlayHints?.ruleNumbers !== false,
    maxNumberOfProblems: Number.isInteger(r.maxNumberOfProblems) && r.maxNumberOfProblems! >= 1 ? r.maxNumberOfProblems! : DEFAULT_SERVER_SETTINGS.maxNumberOfProblems,
  };
}

export function lintOptionsFor(s: ServerSettings, uri: string, languageId: string): LintOptions {
  const severities: Record<string, Severity | 'off'> = {};
  for (const [code, sev] of Object.entries(s.diagnostics)) {
    const mapped = SEVERITY_NAMES[String(sev).toLowerCase()];
    if (mapped) severities[code] = mapped;
  }
  return {
    fileName: decodeURIComponent(uri.replace(/^[a-z]+:\/\//, '')),
    languageId,
    family: s.ipVersion === 'ipv4' ? 4 : s.ipVersion === 'ipv6' ? 6 : undefined,
    settings: { sshPorts: s.sshPorts, ipsetThreshold: s.preferIpsetThreshold },
    severities,
    maxAnalysisSize: s.maxAnalysisSizeMB * 1024 * 1024,
  };
}
