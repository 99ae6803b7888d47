// Lists as CSV text (RFC 4180), safe to open in a spreadsheet. Pure: table in, text out.

export type CsvCell = string | number | boolean | null | undefined;

/** A list as a table, for a CSV file. */
export interface CsvTable {
  columns: readonly string[];
  rows: readonly (readonly CsvCell[])[];
}

/**
 * One CSV cell: quoted when it holds a comma, quote or line break. Cells a spreadsheet would
 * run as a formula (starting with = + - @, tab or CR) get a leading `'` (formula injection).
 */
export function csvCell(value: CsvCell): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The whole file: a header row, then one line per row, each ending in CRLF. */
export function toCsv(table: CsvTable): string {
  return [table.columns, ...table.rows].map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}
