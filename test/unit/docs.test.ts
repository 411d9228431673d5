/** Every diagnostic code has its page; every option, match and target in the knowledge base has hover text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CODES } from '../../server/src/engine/checks/codes';
import { GENERIC_OPTIONS, MATCHES, TARGETS, TABLES, BUILTIN_CHAINS, COMMANDS } from '../../server/src/engine/kb';
import { moduleMarkdown, optionMarkdown } from '../../server/src/features/hover';
import { ROOT } from '../helpers/env';
import { lint } from '../../server/src/engine/lint';

const DOCS = path.join(ROOT, 'docs', 'diagnostics');

test('every diagnostic code has a documentation page with a bad and a good example', () => {
  for (const { code, severity } of CODES) {
    const file = path.join(DOCS, `${code}.md`);
    assert.ok(existsSync(file), `missing ${file}`);
    const text = readFileSync(file, 'utf8');
    assert.match(text, new RegExp(`^# ${code}\\n`), `${code}: title`);
    assert.match(text, /## Bad\n\n```\n[^`]+```/, `${code}: bad example`);
    assert.match(text, /## Good\n\n```\n[^`]+```/, `${code}: good example`);
    assert.ok(text.includes(`default severity: ${severity}`), `${code}: severity`);
  }
  const pages = readdirSync(DOCS).filter((f) => f !== 'README.md').map((f) => f.replace(/\.md$/, ''));
  assert.deepEqual(pages.sort(), CODES.map((c) => c.code).sort(), 'no page without a code');
});

/** Pages whose examples stand for something too large to print (hundreds of rules, a file of 30 MB). */
const ILLUSTRATED = new Set(['prefer-ipset', 'too-large']);

/** A page's example as a document: a script, or a restore file (rule lines alone go in a *filter table). */
function exampleDoc(text: string): { text: string; fileName: string } {
  const script = /^(#!|sudo |ip6?tables |\$IPT)/m.test(text) && !/^\*/m.test(text);
  if (script) return { text, fileName: 'fw.sh' };
  // A first line `# rules.v6` says which file the example is.
  const fileName = /^# (rules\.v[46])$/m.exec(text)?.[1] ?? 'rules.v4';
  return { text: /^\*/m.test(text) ? text : `*filter\n${text}COMMIT\n`, fileName };
}

test("every page's bad example gives its code, and its good example does not", () => {
  const wrong: string[] = [];
  for (const { code } of CODES) {
    if (ILLUSTRATED.has(code)) continue;
    const page = readFileSync(path.join(DOCS, `${code}.md`), 'utf8');
    const example = (heading: string) => new RegExp(`## ${heading}\\n\\n\`\`\`\\n([^\`]+)\`\`\``).exec(page)![1];
    const count = (heading: string) => {
      const { text, fileName } = exampleDoc(example(heading));
      return lint(text, { fileName }).diagnostics.filter((d) => d.code === code).length;
    };
    if (count('Bad') === 0) wrong.push(`${code}: the bad example does not give it`);
    if (count('Good') !== 0) wrong.push(`${code}: the good example gives it`);
  }
  assert.deepEqual(wrong, []);
});

test('every option, match, target, table, chain and command has hover text', () => {
  for (const o of GENERIC_OPTIONS) assert.ok(o.doc.length > 10 && optionMarkdown(o).includes(o.doc), o.names[0]);
  for (const m of [...MATCHES, ...TARGETS]) {
    assert.ok(m.doc.length > 5, `${m.name} has a description`);
    assert.ok(moduleMarkdown(m).includes(m.name));
    for (const o of m.options) assert.ok(o.doc.length > 3 && optionMarkdown(o, m).includes(o.names[0]), `${m.name} ${o.names[0]}`);
  }
  for (const t of TABLES) assert.ok(t.doc.length > 10, t.name);
  for (const c of BUILTIN_CHAINS) assert.ok(c.doc.length > 10, c.name);
  for (const c of COMMANDS) assert.ok(c.doc.length > 5, c.short);
});

test('the knowledge base covers every match and target the corpus uses, and the common ones', () => {
  const names = new Set([...MATCHES, ...TARGETS].map((m) => m.name));
  const required = ['tcp', 'udp', 'icmp', 'icmp6', 'multiport', 'conntrack', 'state', 'limit', 'hashlimit', 'recent', 'comment', 'mac', 'iprange', 'set', 'addrtype', 'owner', 'physdev', 'mark', 'connmark', 'connlimit', 'length', 'pkttype', 'string', 'time', 'tos', 'ttl', 'hl', 'dscp', 'policy', 'rpfilter', 'socket', 'statistic', 'sctp', 'rt', 'helper',
    'LOG', 'NFLOG', 'REJECT', 'MASQUERADE', 'SNAT', 'DNAT', 'REDIRECT', 'NETMAP', 'MARK', 'CONNMARK', 'CT', 'NOTRACK', 'TRACE', 'TCPMSS', 'TPROXY', 'SET', 'NFQUEUE', 'DSCP', 'TOS', 'TTL', 'HL', 'CLASSIFY', 'CHECKSUM', 'AUDIT', 'SYNPROXY', 'ACCEPT', 'DROP', 'RETURN'];
  for (const r of required) assert.ok(names.has(r), r);
});

test('every value completion offers has a description', () => {
  const kinds = [...GENERIC_OPTIONS, ...[...MATCHES, ...TARGETS].flatMap((m) => m.options)].flatMap((o) => [...o.args, ...(o.optionalArg ? [o.optionalArg] : [])]);
  for (const k of kinds) for (const c of k.choices ?? []) assert.ok(c.doc.length > 1, `${k.name}: ${c.label}`);
});

test('every value has a one-word name for signatures, and an option whose values share a kind names each', () => {
  const options = [...GENERIC_OPTIONS, ...[...MATCHES, ...TARGETS].flatMap((m) => m.options)];
  for (const o of options) {
    for (const k of [...o.args, ...(o.optionalArg ? [o.optionalArg] : [])]) {
      // A space would read as two values in `--opt a b`; internal names (int:0:255) are not for people.
      assert.match(k.label, /^\S+$/, `${o.names[0]}: '${k.label}'`);
      assert.ok(!/^(int|intrange|string):/.test(k.label), `${o.names[0]}: '${k.label}'`);
    }
    const labels = o.args.map((k, i) => o.argNames?.[i] ?? k.label);
    assert.equal(new Set(labels).size, labels.length, `${o.names[0]}: values named alike (${labels.join(', ')})`);
    if (o.argNames) assert.equal(o.argNames.length, o.args.length, o.names[0]);
  }
});

test('both code tables (the README and the index of the pages) list every code with its default severity', () => {
  for (const file of [path.join(ROOT, 'README.md'), path.join(DOCS, 'README.md')]) {
    const text = readFileSync(file, 'utf8');
    const rows = new Map([...text.matchAll(/^\| \[([a-z0-9-]+)\]\([^)]*\) \| (\w+) \|/gm)].map((m) => [m[1], m[2]]));
    for (const { code, severity } of CODES) assert.equal(rows.get(code), severity, `${path.relative(ROOT, file)}: ${code}`);
    assert.equal(rows.size, CODES.length, `${path.relative(ROOT, file)}: no row without a code`);
  }
});

test('every setting the extension contributes is in the README\'s settings table', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  for (const key of Object.keys(pkg.contributes.configuration.properties)) assert.ok(readme.includes(`| \`${key}\` |`), key);
});
