// The email channel's HTML against caniemail.com's support data (the caniemail package, pinned
// in package-lock.json), for the clients the clinic's patients use. Every feature a client does
// not support must be in allowlist.json, with that client named and the reason it is safe;
// partial support is reported, not failed.
//
//   node check.mjs <report.json> <email.html>...
//
// Writes the report (JSON) and exits 1 when a feature outside the allowlist is unsupported.
import { readFileSync, writeFileSync } from 'node:fs';
import { caniemail, formatIssue } from 'caniemail';

export const CLIENTS = [
  'gmail.*',
  'apple-mail.*',
  'outlook.windows',
  'outlook.macos',
  'samsung-email.android',
];

const allowlist = JSON.parse(readFileSync(new URL('./allowlist.json', import.meta.url), 'utf8'));
const [reportPath, ...files] = process.argv.slice(2);
if (!reportPath || files.length === 0) {
  console.error('usage: node check.mjs <report.json> <email.html>...');
  process.exit(2);
}

const report = { clients: CLIENTS, emails: {}, unapproved: [] };
for (const file of files) {
  const { issues } = caniemail({ clients: CLIENTS, html: readFileSync(file, 'utf8') });
  const seen = { unsupported: {}, partial: {} };
  for (const [kind, key] of [['errors', 'unsupported'], ['warnings', 'partial']]) {
    for (const [client, list] of issues[kind] ?? new Map()) {
      for (const issue of list) {
        const { message } = formatIssue({ client, issue, issueType: kind === 'errors' ? 'error' : 'warning' });
        const title = issue.title ?? message;
        (seen[key][title] ??= new Set()).add(client);
      }
    }
  }
  for (const [title, clients] of Object.entries(seen.unsupported)) {
    const allowed = allowlist[title]?.clients ?? [];
    for (const client of clients) {
      if (!allowed.includes(client)) report.unapproved.push({ email: file, feature: title, client });
    }
  }
  report.emails[file] = Object.fromEntries(
    Object.entries(seen).map(([key, found]) => [
      key,
      Object.fromEntries(Object.entries(found).map(([title, clients]) => [title, [...clients].sort()])),
    ]),
  );
}
writeFileSync(reportPath, JSON.stringify(report, null, 2));
for (const { email, feature, client } of report.unapproved) {
  console.error(`${email}: ${feature} is not supported by ${client} and is not in allowlist.json`);
}
process.exit(report.unapproved.length ? 1 : 0);
