import { AUDIT_ACTIONS, isAuditAction, type AuditEntry } from '@shoal/contract';

export const AUDIT_CSV_HEADER = [
  'at',
  'action',
  'what',
  'actor',
  'address',
  'resource_id',
  'resource_name',
  'node_id',
  'node_name',
  'subject_user_id',
  'subject_username',
  'detail',
];

/**
 * One field, quoted when it must be (RFC 4180). A field a spreadsheet would run as a
 * formula (=, +, -, @, tab, CR first) gets a leading apostrophe: resource and user names
 * are chosen by users, and an auditor opens this file in a spreadsheet.
 */
function field(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function auditCsvLine(values: (string | null)[]): string {
  return `${values.map(field).join(',')}\r\n`;
}

export function auditCsvRow(e: AuditEntry): string {
  return auditCsvLine([
    e.at,
    e.action,
    isAuditAction(e.action) ? AUDIT_ACTIONS[e.action] : e.action,
    e.username,
    e.address,
    e.resourceId,
    e.resourceName,
    e.nodeId,
    e.nodeName,
    e.subjectUserId,
    e.subjectUsername,
    e.detail,
  ]);
}
